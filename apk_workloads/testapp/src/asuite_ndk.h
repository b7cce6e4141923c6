/*
 * Our own declarations of the NDK API the app uses (there is no NDK here).
 * Layouts follow AOSP's <android/native_activity.h>, <android/native_window.h>
 * and the JNI function table; tests/unit/apk compiles a layout probe against
 * Debian's android-platform-frameworks-native-headers and the JDK's jni.h and
 * compares offsets, so a mistake here fails a test instead of a phone.
 */
#ifndef ASUITE_NDK_H
#define ASUITE_NDK_H

#include "asuite_sys.h"

typedef struct ANativeWindow ANativeWindow;
typedef struct AAssetManager AAssetManager;
typedef struct AAsset AAsset;
typedef struct AInputQueue AInputQueue;
typedef struct AInputEvent AInputEvent;
typedef struct ALooper ALooper;
typedef struct AChoreographer AChoreographer;

typedef struct ARect {
    int32_t left, top, right, bottom;
} ARect;

typedef struct ANativeWindow_Buffer {
    int32_t width;
    int32_t height;
    int32_t stride; /* pixels between rows, >= width */
    int32_t format;
    void *bits;
    uint32_t reserved[6];
} ANativeWindow_Buffer;

#define WINDOW_FORMAT_RGBX_8888 2
#define AASSET_MODE_BUFFER 3
#define ALOOPER_POLL_TIMEOUT (-3)
#define ALOOPER_EVENT_INPUT 1
#define ANDROID_LOG_INFO 4

/* JNI: only the function-table slots we call, by their index in JNINativeInterface. */
typedef void *jobject;
typedef void *jmethodID;
struct asuite_jni_table {
    void *fn[229];
};
typedef const struct asuite_jni_table *JNIEnv;
#define JNI_DELETE_LOCAL_REF 23
#define JNI_EXCEPTION_CLEAR 17
#define JNI_GET_OBJECT_CLASS 31
#define JNI_GET_METHOD_ID 33
#define JNI_CALL_OBJECT_METHOD 34
#define JNI_NEW_STRING_UTF 167
#define JNI_GET_STRING_UTF_CHARS 169
#define JNI_RELEASE_STRING_UTF_CHARS 170
#define JNI_EXCEPTION_CHECK 228

struct ANativeActivity;
typedef struct ANativeActivityCallbacks {
    void (*onStart)(struct ANativeActivity *activity);
    void (*onResume)(struct ANativeActivity *activity);
    void *(*onSaveInstanceState)(struct ANativeActivity *activity, size_t *outSize);
    void (*onPause)(struct ANativeActivity *activity);
    void (*onStop)(struct ANativeActivity *activity);
    void (*onDestroy)(struct ANativeActivity *activity);
    void (*onWindowFocusChanged)(struct ANativeActivity *activity, int hasFocus);
    void (*onNativeWindowCreated)(struct ANativeActivity *activity, ANativeWindow *window);
    void (*onNativeWindowResized)(struct ANativeActivity *activity, ANativeWindow *window);
    void (*onNativeWindowRedrawNeeded)(struct ANativeActivity *activity, ANativeWindow *window);
    void (*onNativeWindowDestroyed)(struct ANativeActivity *activity, ANativeWindow *window);
    void (*onInputQueueCreated)(struct ANativeActivity *activity, AInputQueue *queue);
    void (*onInputQueueDestroyed)(struct ANativeActivity *activity, AInputQueue *queue);
    void (*onContentRectChanged)(struct ANativeActivity *activity, const ARect *rect);
    void (*onConfigurationChanged)(struct ANativeActivity *activity);
    void (*onLowMemory)(struct ANativeActivity *activity);
} ANativeActivityCallbacks;

typedef struct ANativeActivity {
    ANativeActivityCallbacks *callbacks;
    void *vm; /* JavaVM* */
    JNIEnv *env;
    jobject clazz; /* the NativeActivity instance (not a class, despite the name) */
    const char *internalDataPath;
    const char *externalDataPath;
    int32_t sdkVersion;
    void *instance;
    AAssetManager *assetManager;
    const char *obbPath;
} ANativeActivity;

typedef int (*ALooper_callbackFunc)(int fd, int events, void *data);
typedef void (*AChoreographer_frameCallback)(long frameTimeNanos, void *data);

/* liblog */
int __android_log_write(int prio, const char *tag, const char *text);
/* libandroid */
int32_t ANativeWindow_setBuffersGeometry(ANativeWindow *window, int32_t width, int32_t height, int32_t format);
int32_t ANativeWindow_lock(ANativeWindow *window, ANativeWindow_Buffer *outBuffer, ARect *inOutDirtyBounds);
int32_t ANativeWindow_unlockAndPost(ANativeWindow *window);
void ANativeWindow_acquire(ANativeWindow *window);
void ANativeWindow_release(ANativeWindow *window);
AAsset *AAssetManager_open(AAssetManager *mgr, const char *filename, int mode);
int AAsset_read(AAsset *asset, void *buf, size_t count);
void AAsset_close(AAsset *asset);
ALooper *ALooper_forThread(void);
ALooper *ALooper_prepare(int opts);
int ALooper_pollOnce(int timeoutMillis, int *outFd, int *outEvents, void **outData);
void ALooper_wake(ALooper *looper);
void AInputQueue_attachLooper(AInputQueue *queue, ALooper *looper, int ident, ALooper_callbackFunc callback,
                              void *data);
void AInputQueue_detachLooper(AInputQueue *queue);
int32_t AInputQueue_getEvent(AInputQueue *queue, AInputEvent **outEvent);
int32_t AInputQueue_preDispatchEvent(AInputQueue *queue, AInputEvent *event);
void AInputQueue_finishEvent(AInputQueue *queue, AInputEvent *event, int handled);
AChoreographer *AChoreographer_getInstance(void); /* API 24 */
void AChoreographer_postFrameCallback(AChoreographer *choreographer, AChoreographer_frameCallback callback,
                                      void *data); /* API 24 */

#endif
