/*
 * Test driver for the packed library: dlopen()s the real libasuiteapp.so (the
 * one in the APK) and drives it through NativeActivity's callbacks.  Built for
 * arm64 and run under qemu-aarch64, and for x86_64 and run natively.
 * Beside it: libandroid.so = fake_ndk.c built for the same arch (also providing the
 * liblog and property functions), and empty libc.so/liblog.so/libdl.so that
 * only carry the SONAMEs the app NEEDs; glibc's libc.so.6 supplies the rest
 * by unversioned lookup, the way bionic would.
 */
#include <dlfcn.h>

#include "../src/asuite_ndk.h"
#include "check.h"

int g_passed, g_failed;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s LIB.so [ROUNDS]\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    on_create_fn on_create = (on_create_fn)dlsym(lib, "ANativeActivity_onCreate");
    CHECK(on_create != NULL);
    CHECK(dlsym(lib, "asuite_fill") == NULL && dlsym(lib, "asuite_config_set") == NULL); /* hidden */
    if (on_create) {
        test_lifecycle(on_create);
        test_window_race(on_create, argc > 2 ? atoi(argv[2]) : 20);
    }
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
