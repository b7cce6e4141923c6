/* A small fake of the NDK functions the app calls, plus controls for the tests. Hosted C (glibc). */
#ifndef ASUITE_FAKE_NDK_H
#define ASUITE_FAKE_NDK_H

#include "../src/asuite_ndk.h"

/* logcat */
int fake_log_count(void);
/* Copies line i (0-based) into out; 0 if there is no such line. */
int fake_log_get(int i, char *out, size_t cap);
/* Index of the first line at or after `from` starting with prefix, or -1. */
int fake_log_find(int from, const char *prefix);
void fake_log_clear(void);

/* system properties, assets, intent extras, package name */
void fake_set_property(const char *name, const char *value);
void fake_reset(void);
AAssetManager *fake_assets(const char *conf_text); /* NULL text: no asuite.conf */
void fake_set_extra(const char *name, const char *value);
JNIEnv *fake_jni_env(const char *package);
jobject fake_activity_object(void);
int fake_jni_live_strings(void);

/* windows: the buffer is reallocated on every lock, exactly stride*height pixels */
ANativeWindow *fake_window_new(int32_t width, int32_t height, int32_t stride);
void fake_window_free(ANativeWindow *w); /* what Android does once onNativeWindowDestroyed returns */
long fake_window_posts(ANativeWindow *w);
int32_t fake_window_format(ANativeWindow *w);

/* choreographer period of the fake vsync */
void fake_set_vsync_ns(int64_t period);

/* input */
AInputQueue *fake_input_new(void);
void fake_input_deliver(AInputQueue *q, int events); /* queue events, run the attached looper callback */
int fake_input_finished(AInputQueue *q, int *handled);
int fake_input_attached(AInputQueue *q);

#endif
