/* Settings and identity through the NDK: intent extras via JNI, debug.asuite.* properties, assets/asuite.conf. */
#include "app_internal.h"

/* ---- JNI: package name and intent extras ---- */

#define JNI(env, idx, type) ((type)(*(env))->fn[idx])

static int jni_failed(JNIEnv *env)
{
    if (!JNI(env, JNI_EXCEPTION_CHECK, unsigned char (*)(JNIEnv *))(env))
        return 0;
    JNI(env, JNI_EXCEPTION_CLEAR, void (*)(JNIEnv *))(env);
    return 1;
}

static void jni_drop(JNIEnv *env, jobject obj)
{
    if (obj)
        JNI(env, JNI_DELETE_LOCAL_REF, void (*)(JNIEnv *, jobject))(env, obj);
}

/* obj.name(arg) for a method returning an object; NULL on any failure. */
static jobject jni_call(JNIEnv *env, jobject obj, const char *name, const char *sig, jobject arg)
{
    jobject cls = JNI(env, JNI_GET_OBJECT_CLASS, jobject (*)(JNIEnv *, jobject))(env, obj);
    if (!cls)
        return NULL;
    jmethodID m = JNI(env, JNI_GET_METHOD_ID, jmethodID (*)(JNIEnv *, jobject, const char *, const char *))(
        env, cls, name, sig);
    jobject out = NULL;
    if (m && !jni_failed(env)) {
        out = JNI(env, JNI_CALL_OBJECT_METHOD, jobject (*)(JNIEnv *, jobject, jmethodID, ...))(env, obj, m, arg);
        if (jni_failed(env))
            out = NULL;
    } else {
        jni_failed(env);
    }
    jni_drop(env, cls);
    return out;
}

static int jni_copy_string(JNIEnv *env, jobject str, char *out, size_t cap)
{
    if (!str)
        return 0;
    const char *utf =
        JNI(env, JNI_GET_STRING_UTF_CHARS, const char *(*)(JNIEnv *, jobject, unsigned char *))(env, str, NULL);
    int ok = utf != NULL;
    if (ok) {
        size_t n = strlen(utf);
        if (n >= cap)
            n = cap - 1;
        memcpy(out, utf, n);
        out[n] = '\0';
        JNI(env, JNI_RELEASE_STRING_UTF_CHARS, void (*)(JNIEnv *, jobject, const char *))(env, str, utf);
    }
    jni_drop(env, str);
    return ok;
}

static int intent_extra(ANativeActivity *act, jobject intent, const char *name, char *out, size_t cap)
{
    JNIEnv *env = act->env;
    jobject key = JNI(env, JNI_NEW_STRING_UTF, jobject (*)(JNIEnv *, const char *))(env, name);
    if (!key)
        return jni_failed(env), 0;
    jobject val = jni_call(env, intent, "getStringExtra", "(Ljava/lang/String;)Ljava/lang/String;", key);
    jni_drop(env, key);
    return jni_copy_string(env, val, out, cap);
}

/* ---- settings: extras > debug.asuite.* properties > assets/asuite.conf ---- */

static void join(char *out, size_t cap, const char *a, const char *b)
{
    size_t n = 0;
    for (const char *s = a; *s && n + 1 < cap; s++)
        out[n++] = *s;
    for (const char *s = b; *s && n + 1 < cap; s++)
        out[n++] = *s;
    out[n] = '\0';
}

void asuite_load_settings(struct app *a, ANativeActivity *act)
{
    char err[160], name[64], value[92]; /* 92 = PROP_VALUE_MAX */
    asuite_config_defaults(&a->cfg);
    AAsset *asset = act->assetManager ? AAssetManager_open(act->assetManager, "asuite.conf", AASSET_MODE_BUFFER) : NULL;
    if (asset) {
        char text[2048];
        int n = AAsset_read(asset, text, sizeof text);
        AAsset_close(asset);
        if (n > 0 && asuite_config_parse(&a->cfg, text, (size_t)n, err, sizeof err) > 0)
            asuite_emit_error(a, "asset", err);
    } else {
        asuite_emit_error(a, "asset", "assets/asuite.conf missing: built-in defaults");
    }
    for (int i = 0; i < ASUITE_NKEYS; i++) {
        join(name, sizeof name, "debug.asuite.", asuite_config_keys[i]);
        if (__system_property_get(name, value) > 0 &&
            asuite_config_set(&a->cfg, asuite_config_keys[i], value, err, sizeof err) != 0)
            asuite_emit_error(a, "property", err);
    }
    jobject intent = act->env ? jni_call(act->env, act->clazz, "getIntent", "()Landroid/content/Intent;", NULL) : NULL;
    for (int i = 0; intent && i < ASUITE_NKEYS; i++) {
        join(name, sizeof name, "asuite.", asuite_config_keys[i]);
        if (intent_extra(act, intent, name, value, sizeof value) &&
            asuite_config_set(&a->cfg, asuite_config_keys[i], value, err, sizeof err) != 0)
            asuite_emit_error(a, "extra", err);
    }
    if (intent)
        jni_drop(act->env, intent);
}


void asuite_load_identity(struct app *a, ANativeActivity *act)
{
    join(a->pkg, sizeof a->pkg, "unknown", "");
    if (act->env)
        jni_copy_string(act->env, jni_call(act->env, act->clazz, "getPackageName", "()Ljava/lang/String;", NULL),
                        a->pkg, sizeof a->pkg);
}
