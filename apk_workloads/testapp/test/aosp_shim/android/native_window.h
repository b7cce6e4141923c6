/* Debian's android-platform-frameworks-native-headers lacks native_window.h; native_activity.h
 * needs only the opaque type.  ANativeWindow_Buffer is checked against the NDK's documented
 * LP64 layout in tests/unit/apk/test_layout.py instead. */
#pragma once
typedef struct ANativeWindow ANativeWindow;
/* ARect (android/rect.h, also missing) only appears as a pointer in native_activity.h. */
typedef struct ARect ARect;
