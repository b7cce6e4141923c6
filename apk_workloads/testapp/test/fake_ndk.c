/*
 * Fake NDK for host tests: logcat capture, properties, assets, JNI (getPackageName,
 * getIntent, getStringExtra), ANativeWindow, ALooper/AChoreographer, AInputQueue.
 * Window fields are plain (unlocked) on purpose: any use of a window after
 * onNativeWindowDestroyed returned is a heap-use-after-free for ASan and a
 * data race for TSan.
 */
#include "fake_ndk.h"

#include <stdio.h>

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- logcat ---- */
#define LOG_MAX 4096
static char *g_log[LOG_MAX];
static int g_nlog;

int __android_log_write(int prio, const char *tag, const char *text)
{
    if (prio != ANDROID_LOG_INFO || strcmp(tag, "ASuiteApp") != 0)
        abort(); /* the contract: tag ASuiteApp, priority I */
    pthread_mutex_lock(&g_mu);
    if (g_nlog < LOG_MAX)
        g_log[g_nlog++] = strdup(text);
    pthread_mutex_unlock(&g_mu);
    if (getenv("FAKE_NDK_ECHO"))
        fprintf(stderr, "I/%s: %s\n", tag, text);
    return 1;
}

int fake_log_count(void)
{
    pthread_mutex_lock(&g_mu);
    int n = g_nlog;
    pthread_mutex_unlock(&g_mu);
    return n;
}

int fake_log_get(int i, char *out, size_t cap)
{
    int ok = 0;
    pthread_mutex_lock(&g_mu);
    if (i >= 0 && i < g_nlog) {
        snprintf(out, cap, "%s", g_log[i]);
        ok = 1;
    }
    pthread_mutex_unlock(&g_mu);
    return ok;
}

int fake_log_find(int from, const char *prefix)
{
    int found = -1;
    pthread_mutex_lock(&g_mu);
    for (int i = from < 0 ? 0 : from; i < g_nlog && found < 0; i++)
        if (strncmp(g_log[i], prefix, strlen(prefix)) == 0)
            found = i;
    pthread_mutex_unlock(&g_mu);
    return found;
}

void fake_log_clear(void)
{
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < g_nlog; i++)
        free(g_log[i]);
    g_nlog = 0;
    pthread_mutex_unlock(&g_mu);
}

/* ---- properties and extras: small name=value tables ---- */
#define KV_MAX 16
struct kv {
    char name[64], value[96];
};
static struct kv g_props[KV_MAX], g_extras[KV_MAX];
static int g_nprops, g_nextras;

static void kv_set(struct kv *t, int *n, const char *name, const char *value)
{
    if (*n < KV_MAX) {
        snprintf(t[*n].name, sizeof t[*n].name, "%s", name);
        snprintf(t[*n].value, sizeof t[*n].value, "%s", value);
        (*n)++;
    }
}

static const char *kv_get(struct kv *t, int n, const char *name)
{
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(t[i].name, name) == 0)
            return t[i].value;
    return NULL;
}

void fake_set_property(const char *name, const char *value) { kv_set(g_props, &g_nprops, name, value); }
void fake_set_extra(const char *name, const char *value) { kv_set(g_extras, &g_nextras, name, value); }

void fake_reset(void)
{
    g_nprops = g_nextras = 0;
    fake_log_clear();
}

int __system_property_get(const char *name, char *value)
{
    const char *v = kv_get(g_props, g_nprops, name);
    snprintf(value, 92, "%.91s", v ? v : "");
    return (int)strlen(value);
}

/* ---- assets ---- */
struct AAssetManager {
    char conf[2048];
    int has_conf;
};
struct AAsset {
    const char *data;
    size_t len, pos;
};
static struct AAssetManager g_assets;

AAssetManager *fake_assets(const char *conf_text)
{
    g_assets.has_conf = conf_text != NULL;
    snprintf(g_assets.conf, sizeof g_assets.conf, "%s", conf_text ? conf_text : "");
    return &g_assets;
}

AAsset *AAssetManager_open(AAssetManager *mgr, const char *filename, int mode)
{
    (void)mode;
    if (!mgr->has_conf || strcmp(filename, "asuite.conf") != 0)
        return NULL;
    AAsset *a = calloc(1, sizeof *a);
    a->data = mgr->conf;
    a->len = strlen(mgr->conf);
    return a;
}

int AAsset_read(AAsset *a, void *buf, size_t count)
{
    size_t n = a->len - a->pos < count ? a->len - a->pos : count;
    memcpy(buf, a->data + a->pos, n);
    a->pos += n;
    return (int)n;
}

void AAsset_close(AAsset *a) { free(a); }

/* ---- JNI ---- */
enum { OBJ_ACTIVITY = 0x41C7, OBJ_INTENT = 0x1A7E, OBJ_STRING = 0x5781 };
struct fobj {
    int kind;
    char *chars;
};
static struct fobj g_activity = {OBJ_ACTIVITY, NULL}, g_intent = {OBJ_INTENT, NULL};
static char g_package[128];
static int g_live_strings;
static struct asuite_jni_table g_table;
static JNIEnv g_env = &g_table;

static jobject new_string(JNIEnv *env, const char *s)
{
    (void)env;
    struct fobj *o = calloc(1, sizeof *o);
    o->kind = OBJ_STRING;
    o->chars = strdup(s);
    __atomic_add_fetch(&g_live_strings, 1, __ATOMIC_RELAXED);
    return o;
}

static void delete_ref(JNIEnv *env, jobject obj)
{
    (void)env;
    struct fobj *o = obj;
    if (o->kind == OBJ_STRING) {
        free(o->chars);
        free(o);
        __atomic_sub_fetch(&g_live_strings, 1, __ATOMIC_RELAXED);
    }
}

static jobject get_class(JNIEnv *env, jobject obj)
{
    (void)env;
    return obj; /* a class ref to DeleteLocalRef: harmless here */
}

static jmethodID get_method(JNIEnv *env, jobject cls, const char *name, const char *sig)
{
    (void)env;
    struct fobj *o = cls;
    if (o->kind == OBJ_ACTIVITY && strcmp(name, "getPackageName") == 0 && strcmp(sig, "()Ljava/lang/String;") == 0)
        return (jmethodID)1;
    if (o->kind == OBJ_ACTIVITY && strcmp(name, "getIntent") == 0 && strcmp(sig, "()Landroid/content/Intent;") == 0)
        return (jmethodID)2;
    if (o->kind == OBJ_INTENT && strcmp(name, "getStringExtra") == 0 &&
        strcmp(sig, "(Ljava/lang/String;)Ljava/lang/String;") == 0)
        return (jmethodID)3;
    return NULL;
}

static jobject call_object(JNIEnv *env, jobject obj, jmethodID m, ...)
{
    (void)obj;
    va_list ap;
    va_start(ap, m);
    jobject out = NULL;
    if (m == (jmethodID)1) {
        out = new_string(env, g_package);
    } else if (m == (jmethodID)2) {
        out = &g_intent;
    } else if (m == (jmethodID)3) {
        struct fobj *key = va_arg(ap, struct fobj *);
        const char *v = key->kind == OBJ_STRING ? kv_get(g_extras, g_nextras, key->chars) : NULL;
        out = v ? new_string(env, v) : NULL;
    }
    va_end(ap);
    return out;
}

static const char *utf_chars(JNIEnv *env, jobject s, unsigned char *copy)
{
    (void)env;
    if (copy)
        *copy = 0;
    return ((struct fobj *)s)->chars;
}

static void release_utf(JNIEnv *env, jobject s, const char *c) { (void)env, (void)s, (void)c; }
static unsigned char exception_check(JNIEnv *env) { return (void)env, 0; }
static void exception_clear(JNIEnv *env) { (void)env; }

JNIEnv *fake_jni_env(const char *package)
{
    snprintf(g_package, sizeof g_package, "%s", package);
    g_table.fn[JNI_DELETE_LOCAL_REF] = (void *)delete_ref;
    g_table.fn[JNI_EXCEPTION_CLEAR] = (void *)exception_clear;
    g_table.fn[JNI_GET_OBJECT_CLASS] = (void *)get_class;
    g_table.fn[JNI_GET_METHOD_ID] = (void *)get_method;
    g_table.fn[JNI_CALL_OBJECT_METHOD] = (void *)call_object;
    g_table.fn[JNI_NEW_STRING_UTF] = (void *)new_string;
    g_table.fn[JNI_GET_STRING_UTF_CHARS] = (void *)utf_chars;
    g_table.fn[JNI_RELEASE_STRING_UTF_CHARS] = (void *)release_utf;
    g_table.fn[JNI_EXCEPTION_CHECK] = (void *)exception_check;
    return &g_env;
}

jobject fake_activity_object(void) { return &g_activity; }
int fake_jni_live_strings(void) { return __atomic_load_n(&g_live_strings, __ATOMIC_RELAXED); }

/* ---- windows ---- */
struct ANativeWindow {
    int32_t width, height, stride, format;
    uint32_t *bits;
    int locked;
    long posts;
};

ANativeWindow *fake_window_new(int32_t width, int32_t height, int32_t stride)
{
    ANativeWindow *w = calloc(1, sizeof *w);
    w->width = width;
    w->height = height;
    w->stride = stride;
    w->format = 4; /* RGB_565, NativeActivity's default */
    return w;
}

void fake_window_free(ANativeWindow *w)
{
    if (w->locked)
        abort(); /* the app still held the buffer when the window went away */
    free(w);
}

/* Atomic: the test polls it while the render thread posts (only this counter is shared so). */
long fake_window_posts(ANativeWindow *w) { return __atomic_load_n(&w->posts, __ATOMIC_ACQUIRE); }
int32_t fake_window_format(ANativeWindow *w) { return w->format; }

int32_t ANativeWindow_setBuffersGeometry(ANativeWindow *w, int32_t width, int32_t height, int32_t format)
{
    if (width || height)
        abort(); /* the app keeps the window's size */
    w->format = format;
    return 0;
}

int32_t ANativeWindow_lock(ANativeWindow *w, ANativeWindow_Buffer *out, ARect *dirty)
{
    (void)dirty;
    if (w->locked)
        abort();
    w->locked = 1;
    w->bits = malloc((size_t)w->stride * (size_t)w->height * 4);
    *out = (ANativeWindow_Buffer){w->width, w->height, w->stride, w->format, w->bits, {0}};
    return 0;
}

int32_t ANativeWindow_unlockAndPost(ANativeWindow *w)
{
    if (!w->locked)
        abort();
    /* The padding past width in each row must be left alone. */
    for (int32_t y = 0; y < w->height; y++)
        for (int32_t x = w->width; x < w->stride; x++)
            (void)w->bits[(size_t)y * (size_t)w->stride + (size_t)x];
    free(w->bits);
    w->bits = NULL;
    w->locked = 0;
    __atomic_add_fetch(&w->posts, 1, __ATOMIC_RELEASE);
    return 0;
}

void ANativeWindow_acquire(ANativeWindow *w) { (void)w; }
void ANativeWindow_release(ANativeWindow *w) { (void)w; }

/* ---- loopers and the choreographer ---- */
struct ALooper {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int woken;
    AChoreographer_frameCallback cb;
    void *cb_data;
    int64_t next_vsync;
};
static __thread struct ALooper *t_looper;
static pthread_key_t g_looper_key; /* frees a thread's looper when the thread ends */
static pthread_once_t g_looper_once = PTHREAD_ONCE_INIT;

static void free_looper(void *p)
{
    struct ALooper *l = p;
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static void make_key(void) { pthread_key_create(&g_looper_key, free_looper); }
static int64_t g_vsync_ns = 16666667;
static struct ALooper g_main_looper = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, NULL, 0};

void fake_set_vsync_ns(int64_t period) { g_vsync_ns = period; }

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

ALooper *ALooper_prepare(int opts)
{
    (void)opts;
    if (!t_looper) {
        t_looper = calloc(1, sizeof *t_looper);
        pthread_mutex_init(&t_looper->mu, NULL);
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&t_looper->cv, &attr);
        pthread_condattr_destroy(&attr);
        pthread_once(&g_looper_once, make_key);
        pthread_setspecific(g_looper_key, t_looper);
    }
    return t_looper;
}

ALooper *ALooper_forThread(void) { return t_looper ? t_looper : &g_main_looper; }

void ALooper_wake(ALooper *l)
{
    pthread_mutex_lock(&l->mu);
    l->woken = 1;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int ALooper_pollOnce(int timeout_ms, int *fd, int *events, void **data)
{
    (void)fd, (void)events, (void)data;
    struct ALooper *l = t_looper;
    if (!l)
        abort(); /* pollOnce on a thread without ALooper_prepare */
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : mono_ns() + (int64_t)timeout_ms * 1000000LL;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        if (l->woken) {
            l->woken = 0;
            pthread_mutex_unlock(&l->mu);
            return -1; /* ALOOPER_POLL_WAKE */
        }
        int64_t now = mono_ns();
        if (l->cb && now >= l->next_vsync) {
            AChoreographer_frameCallback cb = l->cb;
            void *cb_data = l->cb_data;
            int64_t vsync = l->next_vsync; /* like the real one: the latest vsync, not a stale one */
            while (vsync + g_vsync_ns <= now)
                vsync += g_vsync_ns;
            l->next_vsync = vsync + g_vsync_ns;
            l->cb = NULL;
            pthread_mutex_unlock(&l->mu);
            cb((long)vsync, cb_data);
            return -2; /* ALOOPER_POLL_CALLBACK */
        }
        if (now >= deadline) {
            pthread_mutex_unlock(&l->mu);
            return ALOOPER_POLL_TIMEOUT;
        }
        int64_t until = l->cb && l->next_vsync < deadline ? l->next_vsync : deadline;
        if (until == INT64_MAX) {
            pthread_cond_wait(&l->cv, &l->mu);
        } else {
            struct timespec ts = {(time_t)(until / 1000000000LL), (long)(until % 1000000000LL)};
            pthread_cond_timedwait(&l->cv, &l->mu, &ts);
        }
    }
}

AChoreographer *AChoreographer_getInstance(void)
{
    return (AChoreographer *)t_looper; /* NULL without a looper, like the real one */
}

void AChoreographer_postFrameCallback(AChoreographer *c, AChoreographer_frameCallback cb, void *data)
{
    struct ALooper *l = (struct ALooper *)c;
    if (l != t_looper)
        abort(); /* posted from another thread than the choreographer's */
    pthread_mutex_lock(&l->mu);
    if (l->cb)
        abort(); /* two callback chains at once: every frame would be drawn twice */
    if (l->next_vsync == 0)
        l->next_vsync = mono_ns() + g_vsync_ns;
    l->cb = cb;
    l->cb_data = data;
    pthread_mutex_unlock(&l->mu);
}

/* ---- input ---- */
struct AInputQueue {
    int pending, finished, handled, attached;
    ALooper_callbackFunc cb;
    void *data;
};
static int g_event;

AInputQueue *fake_input_new(void) { return calloc(1, sizeof(AInputQueue)); }

void fake_input_deliver(AInputQueue *q, int events)
{
    q->pending += events;
    if (q->attached)
        q->cb(-1, ALOOPER_EVENT_INPUT, q->data);
}

int fake_input_finished(AInputQueue *q, int *handled)
{
    *handled = q->handled;
    return q->finished;
}

int fake_input_attached(AInputQueue *q) { return q->attached; }

void AInputQueue_attachLooper(AInputQueue *q, ALooper *l, int ident, ALooper_callbackFunc cb, void *data)
{
    (void)l, (void)ident;
    q->attached = 1;
    q->cb = cb;
    q->data = data;
}

void AInputQueue_detachLooper(AInputQueue *q) { q->attached = 0; }

int32_t AInputQueue_getEvent(AInputQueue *q, AInputEvent **out)
{
    if (q->pending == 0)
        return -1;
    q->pending--;
    *out = (AInputEvent *)&g_event;
    return 0;
}

int32_t AInputQueue_preDispatchEvent(AInputQueue *q, AInputEvent *e) { return (void)q, (void)e, 0; }

void AInputQueue_finishEvent(AInputQueue *q, AInputEvent *e, int handled)
{
    (void)e;
    q->finished++;
    q->handled += handled != 0;
}
