/* The app driven through NativeActivity's callbacks against the fake NDK (host and qemu-user). */
#include "../src/asuite_ndk.h"
#include "../src/core.h"
#include "check.h"
#include "fake_ndk.h"

static ANativeActivityCallbacks g_callbacks;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (deadline, not a fixed sleep) until the window has posted `posts` frames. */
static int wait_posts(ANativeWindow *w, long posts, long timeout_ms)
{
    int64_t end = mono_ms() + timeout_ms;
    while (mono_ms() < end) {
        if (fake_window_posts(w) >= posts)
            return 1;
        sleep_ms(2);
    }
    return 0;
}

static ANativeActivity *make_activity(const char *package, const char *conf)
{
    static ANativeActivity act;
    memset(&act, 0, sizeof act);
    memset(&g_callbacks, 0, sizeof g_callbacks);
    act.callbacks = &g_callbacks;
    act.env = fake_jni_env(package);
    act.clazz = fake_activity_object();
    act.sdkVersion = 34;
    act.assetManager = fake_assets(conf);
    return &act;
}

static int line_has(int index, const char *needle)
{
    char line[ASUITE_LINE_MAX];
    return fake_log_get(index, line, sizeof line) && strstr(line, needle) != NULL;
}

static void lifecycle_once(on_create_fn on_create, int clock_mode)
{
    fake_reset();
    fake_set_vsync_ns(5000000);
    ANativeActivity *act = make_activity("org.androidsuite.testapp.a01", "anon_mb=8\nratio=0.5\nframe_work_us=100\n");
    fake_set_property("debug.asuite.touch_pct", "100");
    fake_set_property("debug.asuite.anon_mb", "4");
    fake_set_extra("asuite.anon_mb", "2"); /* extras win over properties, which win over the asset */
    if (clock_mode)
        fake_set_extra("asuite.fps", "200");
    on_create(act, NULL, 0);
    CHECK(act->instance != NULL && g_callbacks.onResume && g_callbacks.onNativeWindowDestroyed);
    int start = fake_log_find(0, "v1 start ");
    CHECK(start >= 0 && line_has(start, "pkg=org.androidsuite.testapp.a01 ") && line_has(start, " anon_kb=2048 ") &&
          line_has(start, " ratio=0.500 ") && line_has(start, " page_kb="));
    g_callbacks.onStart ? g_callbacks.onStart(act) : (void)0;
    g_callbacks.onResume(act);
    CHECK(line_has(fake_log_find(0, "v1 resume "), "touch_kb=2048 touch_ms="));
    ANativeWindow *win = fake_window_new(64, 16, 72);
    g_callbacks.onNativeWindowCreated(act, win);
    CHECK(fake_window_format(win) == WINDOW_FORMAT_RGBX_8888);
    CHECK(wait_posts(win, 65, 5000));
    AInputQueue *q = fake_input_new();
    g_callbacks.onInputQueueCreated(act, q);
    fake_input_deliver(q, 3);
    int handled = -1;
    CHECK(fake_input_finished(q, &handled) == 3 && handled == 0);
    g_callbacks.onInputQueueDestroyed(act, q);
    CHECK(!fake_input_attached(q));
    free(q);
    g_callbacks.onPause(act);
    /* vsync mode: the very first frame is judged against 60 Hz (one vsync says no period yet) */
    int frames = fake_log_find(0, "v1 frames ");
    CHECK(frames >= 0 && line_has(frames, " seq=0 "));
    int full = frames;
    while (full >= 0 && !line_has(full, " deadline_us=5000 "))
        full = fake_log_find(full + 1, "v1 frames ");
    CHECK(full >= 0 && (!clock_mode || full == frames));
    int pause = fake_log_find(0, "v1 pause ");
    char line[ASUITE_LINE_MAX];
    long total = -1, janky = -1;
    if (fake_log_get(pause, line, sizeof line))
        sscanf(strstr(line, "frames="), "frames=%ld janky=%ld", &total, &janky);
    CHECK(total >= 65 && janky >= 0 && janky <= total);
    /* second resume: seq continues, totals restart */
    g_callbacks.onResume(act);
    long posted = fake_window_posts(win);
    CHECK(wait_posts(win, posted + 5, 5000));
    g_callbacks.onPause(act);
    g_callbacks.onNativeWindowDestroyed(act, win);
    fake_window_free(win);
    g_callbacks.onStop(act);
    CHECK(fake_log_find(0, "v1 stop pkg=org.androidsuite.testapp.a01") >= 0);
    g_callbacks.onDestroy(act);
    CHECK(act->instance == NULL);
    CHECK(fake_jni_live_strings() == 0);
    CHECK(fake_log_find(0, "v1 error ") < 0);
}

static void settings_errors(on_create_fn on_create)
{
    fake_reset();
    ANativeActivity *act = make_activity("org.androidsuite.testapp.a02", NULL); /* no asuite.conf */
    fake_set_extra("asuite.ratio", "2");
    fake_set_property("debug.asuite.fps", "fast");
    on_create(act, NULL, 0);
    CHECK(line_has(fake_log_find(0, "v1 error pkg=org.androidsuite.testapp.a02 what=asset "), "missing"));
    CHECK(line_has(fake_log_find(0, "v1 error pkg=org.androidsuite.testapp.a02 what=extra "), "ratio"));
    CHECK(fake_log_find(0, "v1 error pkg=org.androidsuite.testapp.a02 what=property detail=fps") >= 0);
    CHECK(line_has(fake_log_find(0, "v1 start "), " anon_kb=65536 ratio=0.500 "));
    g_callbacks.onDestroy(act); /* destroyed without ever resuming or getting a window */
    CHECK(fake_jni_live_strings() == 0);
}

void test_lifecycle(on_create_fn on_create)
{
    lifecycle_once(on_create, 0);
    lifecycle_once(on_create, 1);
    settings_errors(on_create);
}

/* The window comes and goes while frames are being drawn; pause/resume interleave. */
void test_window_race(on_create_fn on_create, int rounds)
{
    for (int mode = 0; mode < 2; mode++) {
        fake_reset();
        fake_set_vsync_ns(1000000);
        ANativeActivity *act = make_activity("org.androidsuite.testapp.a03", "anon_mb=1\nframe_work_us=0\n");
        if (mode)
            fake_set_extra("asuite.fps", "240");
        on_create(act, NULL, 0);
        g_callbacks.onResume(act);
        long drawn = 0;
        for (int i = 0; i < rounds; i++) {
            ANativeWindow *win = fake_window_new(32, 8, 32 + (i % 3) * 8);
            g_callbacks.onNativeWindowCreated(act, win);
            if (i % 4 == 1) {
                g_callbacks.onPause(act);
                g_callbacks.onResume(act);
            }
            sleep_ms(i % 3);
            g_callbacks.onNativeWindowDestroyed(act, win);
            drawn += fake_window_posts(win);
            fake_window_free(win); /* freed at once: a late draw is a use-after-free */
        }
        g_callbacks.onPause(act);
        g_callbacks.onStop(act);
        g_callbacks.onDestroy(act);
        CHECK(drawn > 0);
        CHECK(fake_jni_live_strings() == 0);
    }
}
