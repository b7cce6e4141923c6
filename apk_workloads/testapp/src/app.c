/*
 * NDK glue, main thread: the NativeActivity callbacks and the entry point.
 * The render thread is in render.c, settings and JNI in settings.c, the
 * threading rules in app_internal.h.  Every decision that can be tested
 * without Android is in config.c, memory.c, frames.c and logline.c.
 */
#include "app_internal.h"

int64_t asuite_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void asuite_emit(const char *line) { __android_log_write(ANDROID_LOG_INFO, ASUITE_TAG, line); }

void asuite_emit_error(const struct app *a, const char *what, const char *detail)
{
    char line[ASUITE_LINE_MAX];
    asuite_fmt_error(line, sizeof line, a->pkg, what, detail);
    asuite_emit(line);
}

static void poke(struct app *a)
{
    pthread_cond_broadcast(&a->cv);
    if (a->render_looper)
        ALooper_wake(a->render_looper);
}

static void wait_idle(struct app *a)
{
    while (a->busy)
        pthread_cond_wait(&a->cv, &a->mu);
}

/* ---- lifecycle callbacks (main thread) ---- */

static struct app *app_of(ANativeActivity *act) { return act->instance; }

static void on_resume(ANativeActivity *act)
{
    struct app *a = app_of(act);
    char line[ASUITE_LINE_MAX];
    size_t touched = 0;
    int64_t t0 = asuite_now_ns();
    a->sink += asuite_touch(a->mem, a->mem_len, a->page, a->cfg.touch_pct, &touched);
    int64_t t1 = asuite_now_ns();
    asuite_fmt_resume(line, sizeof line, a->pkg, (long)(touched / 1024), t1 - t0);
    asuite_emit(line);
    pthread_mutex_lock(&a->mu);
    long seq = a->frames.seq + a->frames.n; /* seq counts frames since onCreate */
    asuite_frames_reset(&a->frames);
    a->frames.seq = seq;
    a->resumed = 1;
    poke(a);
    pthread_mutex_unlock(&a->mu);
}

static void on_pause(ANativeActivity *act)
{
    struct app *a = app_of(act);
    char line[ASUITE_LINE_MAX];
    pthread_mutex_lock(&a->mu);
    a->resumed = 0;
    poke(a);
    wait_idle(a);
    pthread_mutex_unlock(&a->mu);
    asuite_flush_frames(a);
    asuite_fmt_pause(line, sizeof line, a->pkg, a->frames.total, a->frames.janky);
    asuite_emit(line);
}

static void on_stop(ANativeActivity *act)
{
    char line[ASUITE_LINE_MAX];
    asuite_fmt_stop(line, sizeof line, app_of(act)->pkg);
    asuite_emit(line);
}

static void on_destroy(ANativeActivity *act)
{
    struct app *a = app_of(act);
    pthread_mutex_lock(&a->mu);
    a->quit = 1;
    poke(a);
    pthread_mutex_unlock(&a->mu);
    if (a->have_thread)
        pthread_join(a->thread, NULL);
    if (a->mem)
        munmap(a->mem, a->mem_len);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    act->instance = NULL;
    free(a);
}

static void on_window_created(ANativeActivity *act, ANativeWindow *window)
{
    struct app *a = app_of(act);
    /* NativeActivity's surface defaults to RGB_565; 0x0 keeps the window's own size. */
    if (ANativeWindow_setBuffersGeometry(window, 0, 0, WINDOW_FORMAT_RGBX_8888) != 0)
        asuite_emit_error(a, "window", "setBuffersGeometry RGBX_8888 refused");
    pthread_mutex_lock(&a->mu);
    a->window = window;
    poke(a);
    pthread_mutex_unlock(&a->mu);
}

static void on_window_destroyed(ANativeActivity *act, ANativeWindow *window)
{
    struct app *a = app_of(act);
    pthread_mutex_lock(&a->mu);
    if (a->window == window)
        a->window = NULL;
    poke(a);
    wait_idle(a); /* after this returns Android may free the surface */
    pthread_mutex_unlock(&a->mu);
}

static int on_input(int fd, int events, void *data)
{
    AInputQueue *queue = data;
    AInputEvent *event = NULL;
    (void)fd;
    (void)events;
    while (AInputQueue_getEvent(queue, &event) >= 0) {
        if (AInputQueue_preDispatchEvent(queue, event))
            continue; /* taken by the IME; it finishes the event itself */
        AInputQueue_finishEvent(queue, event, 0); /* unhandled: BACK finishes the activity */
    }
    return 1;
}

static void on_input_created(ANativeActivity *act, AInputQueue *queue)
{
    (void)act;
    AInputQueue_attachLooper(queue, ALooper_forThread(), 1, on_input, queue);
}

static void on_input_destroyed(ANativeActivity *act, AInputQueue *queue)
{
    (void)act;
    AInputQueue_detachLooper(queue);
}

static void allocate(struct app *a)
{
    char line[ASUITE_LINE_MAX];
    unsigned long page = getauxval(AT_PAGESZ);
    a->page = page ? page : 4096;
    size_t len = (size_t)a->cfg.anon_mb << 20;
    int64_t t0 = asuite_now_ns();
    if (len) {
        void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
            asuite_emit_error(a, "mmap", "anonymous mapping refused");
        } else {
            a->mem = mem;
            a->mem_len = len;
            a->sink += asuite_fill(a->mem, len, a->page, a->cfg.ratio_milli, (uint64_t)getpid() * 2654435761u);
        }
    }
    int64_t t1 = asuite_now_ns();
    asuite_fmt_start(line, sizeof line, a->pkg, (long)getpid(), (long)(a->mem_len / 1024), a->cfg.ratio_milli,
                     t1 - t0, (long)(a->page / 1024));
    asuite_emit(line);
}

__attribute__((visibility("default"))) void ANativeActivity_onCreate(ANativeActivity *act, void *saved,
                                                                       size_t saved_size)
{
    (void)saved;
    (void)saved_size;
    struct app *a = calloc(1, sizeof *a);
    if (!a)
        return;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    asuite_load_identity(a, act);
    act->instance = a;
    asuite_load_settings(a, act);
    allocate(a);
    act->callbacks->onResume = on_resume;
    act->callbacks->onPause = on_pause;
    act->callbacks->onStop = on_stop;
    act->callbacks->onDestroy = on_destroy;
    act->callbacks->onNativeWindowCreated = on_window_created;
    act->callbacks->onNativeWindowDestroyed = on_window_destroyed;
    act->callbacks->onInputQueueCreated = on_input_created;
    act->callbacks->onInputQueueDestroyed = on_input_destroyed;
    a->have_thread = pthread_create(&a->thread, NULL, asuite_render_main, a) == 0;
    if (!a->have_thread)
        asuite_emit_error(a, "thread", "pthread_create failed: no frames");
}
