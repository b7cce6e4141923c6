/*
 * Prints the layout of every NDK struct and JNI slot the app declares itself.
 * Built twice by tests/unit/apk: once against our src/asuite_ndk.h, once
 * (-DUSE_AOSP) against AOSP's headers (Debian android-platform-frameworks-native-headers,
 * the JDK's jni.h); the two outputs must be equal.
 */
#include <stddef.h>
#include <stdio.h>

#ifdef USE_AOSP
#include <android/native_activity.h>
#include <android/asset_manager.h>
#include <android/looper.h>
#include <android/choreographer.h>
#define JNI_SLOT(name) (offsetof(struct JNINativeInterface_, name) / sizeof(void *))
#define ACTIVITY_CB struct ANativeActivityCallbacks
#else
#define ASUITE_HOSTED
#include "../src/asuite_ndk.h"
#define JNI_SLOT_GetObjectClass JNI_GET_OBJECT_CLASS
#define JNI_SLOT_GetMethodID JNI_GET_METHOD_ID
#define JNI_SLOT_CallObjectMethod JNI_CALL_OBJECT_METHOD
#define JNI_SLOT_NewStringUTF JNI_NEW_STRING_UTF
#define JNI_SLOT_GetStringUTFChars JNI_GET_STRING_UTF_CHARS
#define JNI_SLOT_ReleaseStringUTFChars JNI_RELEASE_STRING_UTF_CHARS
#define JNI_SLOT_DeleteLocalRef JNI_DELETE_LOCAL_REF
#define JNI_SLOT_ExceptionCheck JNI_EXCEPTION_CHECK
#define JNI_SLOT_ExceptionClear JNI_EXCEPTION_CLEAR
#define JNI_SLOT(name) JNI_SLOT_##name
#define ACTIVITY_CB ANativeActivityCallbacks
#endif

#define FIELD(type, f) printf("%s.%s %zu %zu\n", #type, #f, offsetof(type, f), sizeof(((type *)0)->f))
#define SIZE(type) printf("sizeof %s %zu\n", #type, sizeof(type))
#define CONST(name) printf("%s %ld\n", #name, (long)(name))

int main(void)
{
    SIZE(ANativeActivity);
    FIELD(ANativeActivity, callbacks);
    FIELD(ANativeActivity, vm);
    FIELD(ANativeActivity, env);
    FIELD(ANativeActivity, clazz);
    FIELD(ANativeActivity, internalDataPath);
    FIELD(ANativeActivity, externalDataPath);
    FIELD(ANativeActivity, sdkVersion);
    FIELD(ANativeActivity, instance);
    FIELD(ANativeActivity, assetManager);
    FIELD(ANativeActivity, obbPath);
    SIZE(ACTIVITY_CB);
    FIELD(ACTIVITY_CB, onStart);
    FIELD(ACTIVITY_CB, onResume);
    FIELD(ACTIVITY_CB, onSaveInstanceState);
    FIELD(ACTIVITY_CB, onPause);
    FIELD(ACTIVITY_CB, onStop);
    FIELD(ACTIVITY_CB, onDestroy);
    FIELD(ACTIVITY_CB, onWindowFocusChanged);
    FIELD(ACTIVITY_CB, onNativeWindowCreated);
    FIELD(ACTIVITY_CB, onNativeWindowResized);
    FIELD(ACTIVITY_CB, onNativeWindowRedrawNeeded);
    FIELD(ACTIVITY_CB, onNativeWindowDestroyed);
    FIELD(ACTIVITY_CB, onInputQueueCreated);
    FIELD(ACTIVITY_CB, onInputQueueDestroyed);
    FIELD(ACTIVITY_CB, onContentRectChanged);
    FIELD(ACTIVITY_CB, onConfigurationChanged);
    FIELD(ACTIVITY_CB, onLowMemory);
#ifndef USE_AOSP /* not in Debian's AOSP headers: compared with the documented layout instead */
    SIZE(ANativeWindow_Buffer);
    FIELD(ANativeWindow_Buffer, width);
    FIELD(ANativeWindow_Buffer, height);
    FIELD(ANativeWindow_Buffer, stride);
    FIELD(ANativeWindow_Buffer, format);
    FIELD(ANativeWindow_Buffer, bits);
    CONST(WINDOW_FORMAT_RGBX_8888);
    SIZE(ARect);
    FIELD(ARect, left);
    FIELD(ARect, bottom);
#endif
    CONST(AASSET_MODE_BUFFER);
    CONST(ALOOPER_POLL_TIMEOUT);
    CONST(ALOOPER_EVENT_INPUT);
    printf("jni GetObjectClass %zu\n", (size_t)JNI_SLOT(GetObjectClass));
    printf("jni GetMethodID %zu\n", (size_t)JNI_SLOT(GetMethodID));
    printf("jni CallObjectMethod %zu\n", (size_t)JNI_SLOT(CallObjectMethod));
    printf("jni NewStringUTF %zu\n", (size_t)JNI_SLOT(NewStringUTF));
    printf("jni GetStringUTFChars %zu\n", (size_t)JNI_SLOT(GetStringUTFChars));
    printf("jni ReleaseStringUTFChars %zu\n", (size_t)JNI_SLOT(ReleaseStringUTFChars));
    printf("jni DeleteLocalRef %zu\n", (size_t)JNI_SLOT(DeleteLocalRef));
    printf("jni ExceptionCheck %zu\n", (size_t)JNI_SLOT(ExceptionCheck));
    printf("jni ExceptionClear %zu\n", (size_t)JNI_SLOT(ExceptionClear));
    return 0;
}
