/* Host test program: core logic, then the whole app through its callbacks, against the fake NDK.
 * Built twice by the tests: -fsanitize=address,undefined and -fsanitize=thread. */
#include "../src/asuite_ndk.h"
#include "check.h"

int g_passed, g_failed;
void ANativeActivity_onCreate(ANativeActivity *activity, void *saved, size_t saved_size);

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    test_core();
    test_lifecycle(ANativeActivity_onCreate);
    test_window_race(ANativeActivity_onCreate, rounds);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
