/*
 * Internal to the NDK glue (app.c, render.c, settings.c): the per-activity state.
 *
 * Threads: callbacks run on the app's main thread; frames are drawn on one
 * render thread.  `mu` guards window/busy/resumed/quit/render_looper.  The
 * render thread only touches the window while busy=1, and the main thread
 * never returns from onNativeWindowDestroyed or onPause while busy=1, so the
 * window is never used after Android takes it back.  `frames` belongs to the
 * render thread while resumed and to the main thread once onPause has seen
 * busy=0.  `pacer`, `frame_no` and the vsync fields are the render thread's.
 */
#ifndef ASUITE_APP_H
#define ASUITE_APP_H

#include "asuite_ndk.h"
#include "core.h"

struct app {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ANativeWindow *window;
    int busy;
    int resumed;
    int quit;
    ALooper *render_looper;
    pthread_t thread;
    int have_thread;
    unsigned char *mem;
    size_t mem_len;
    size_t page;
    volatile uint64_t sink;
    struct asuite_frames frames;
    struct asuite_pacer pacer;
    long frame_no;
    int vsync_pending, vsync_stopped;
    int lock_error_logged;
    AChoreographer *choreographer;
    struct asuite_config cfg;
    char pkg[128];
};
int64_t asuite_now_ns(void);
void asuite_emit(const char *line);
void asuite_emit_error(const struct app *a, const char *what, const char *detail);
/* main thread, in onCreate: package name (JNI), then the settings in precedence order */
void asuite_load_identity(struct app *a, ANativeActivity *act);
void asuite_load_settings(struct app *a, ANativeActivity *act);
/* render thread entry point; asuite_flush_frames also runs on the main thread in onPause */
void *asuite_render_main(void *data);
void asuite_flush_frames(struct app *a);

#endif
