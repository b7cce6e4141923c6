/* The render thread: pacing (AChoreographer or CLOCK_MONOTONIC), drawing, frame bookkeeping. */
#include "app_internal.h"

void asuite_flush_frames(struct app *a)
{
    char line[ASUITE_LINE_MAX];
    if (a->frames.n == 0)
        return;
    asuite_fmt_frames(line, sizeof line, a->pkg, &a->frames);
    asuite_emit(line);
    asuite_frames_clear_batch(&a->frames);
}

static void record_frame(struct app *a, long dur_us)
{
    long deadline = asuite_pacer_deadline_us(&a->pacer);
    int full = asuite_frames_add(&a->frames, dur_us, deadline);
    if (full < 0) { /* deadline changed: its own line */
        asuite_flush_frames(a);
        full = asuite_frames_add(&a->frames, dur_us, deadline);
    }
    if (full > 0)
        asuite_flush_frames(a);
}

static void spin_until(int64_t until)
{
    volatile uint32_t x = 1;
    while (asuite_now_ns() < until)
        for (int i = 0; i < 256; i++)
            x = x * 1664525u + 1013904223u;
}

/* Draws one frame that started at start_ns; 0 when the app should stop drawing. */
static int draw_frame(struct app *a, int64_t start_ns)
{
    pthread_mutex_lock(&a->mu);
    ANativeWindow *win = (a->quit || !a->resumed) ? NULL : a->window;
    a->busy = win != NULL;
    pthread_mutex_unlock(&a->mu);
    if (!win)
        return 0;
    spin_until(asuite_now_ns() + a->cfg.frame_work_us * 1000);
    ANativeWindow_Buffer buf;
    if (ANativeWindow_lock(win, &buf, NULL) == 0) {
        if (buf.format == WINDOW_FORMAT_RGBX_8888 || buf.format == 1 /* RGBA_8888 */)
            asuite_paint((uint32_t *)buf.bits, buf.width, buf.height, buf.stride, a->frame_no);
        ANativeWindow_unlockAndPost(win);
    } else if (!a->lock_error_logged) { /* once: a broken surface would flood logcat */
        a->lock_error_logged = 1;
        asuite_emit_error(a, "window", "ANativeWindow_lock failed: frames timed but not drawn");
    }
    a->frame_no++;
    record_frame(a, (long)((asuite_now_ns() - start_ns + 500) / 1000));
    pthread_mutex_lock(&a->mu);
    a->busy = 0;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return 1;
}

static void run_clock(struct app *a)
{
    asuite_pacer_init(&a->pacer, a->cfg.fps ? a->cfg.fps : 60, asuite_now_ns());
    for (;;) {
        int64_t slot = asuite_pacer_next(&a->pacer, asuite_now_ns());
        struct timespec ts = {(time_t)(slot / 1000000000LL), (long)(slot % 1000000000LL)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
        }
        if (!draw_frame(a, slot))
            return;
    }
}

static void on_vsync(long frame_time_ns, void *data)
{
    struct app *a = data;
    a->vsync_pending = 0;
    asuite_pacer_vsync(&a->pacer, frame_time_ns);
    if (draw_frame(a, frame_time_ns)) {
        AChoreographer_postFrameCallback(a->choreographer, on_vsync, a);
        a->vsync_pending = 1;
    } else {
        a->vsync_stopped = 1;
    }
}

static void run_vsync(struct app *a)
{
    /* The pacer keeps the period learnt in earlier runs: only the activity's first frame
     * is judged against the 60 Hz guess. */
    a->vsync_stopped = 0;
    if (!a->vsync_pending) { /* a callback left over from the last run keeps its chain */
        AChoreographer_postFrameCallback(a->choreographer, on_vsync, a);
        a->vsync_pending = 1;
    }
    while (!a->vsync_stopped) {
        ALooper_pollOnce(100, NULL, NULL, NULL); /* returns on vsync, on wake, or after 100 ms */
        pthread_mutex_lock(&a->mu);
        int active = !a->quit && a->resumed && a->window;
        pthread_mutex_unlock(&a->mu);
        if (!active)
            return;
    }
}

void *asuite_render_main(void *data)
{
    struct app *a = data;
    ALooper *looper = NULL;
    if (a->cfg.fps == 0) { /* display rate: AChoreographer (API 24+) on this thread's looper */
        looper = ALooper_prepare(0);
        a->choreographer = AChoreographer_getInstance();
        asuite_pacer_init(&a->pacer, 0, asuite_now_ns());
    }
    pthread_mutex_lock(&a->mu);
    a->render_looper = looper;
    while (!a->quit) {
        if (!a->resumed || !a->window) {
            pthread_cond_wait(&a->cv, &a->mu);
            continue;
        }
        pthread_mutex_unlock(&a->mu);
        if (a->choreographer)
            run_vsync(a);
        else
            run_clock(a);
        pthread_mutex_lock(&a->mu);
    }
    a->render_looper = NULL;
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* Called with mu held: tell the render thread that the state changed. */
