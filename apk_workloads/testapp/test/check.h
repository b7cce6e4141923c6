/* Minimal test macros: every CHECK counts; main() prints "N passed, N failed". */
#ifndef ASUITE_CHECK_H
#define ASUITE_CHECK_H
#include <stdio.h>
extern int g_passed, g_failed;
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            g_passed++;                                                                                                \
        } else {                                                                                                       \
            g_failed++;                                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                                              \
    } while (0)
#define CHECK_STR(got, want)                                                                                           \
    do {                                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                                          \
        if (strcmp(g_, w_) == 0) {                                                                                     \
            g_passed++;                                                                                                \
        } else {                                                                                                       \
            g_failed++;                                                                                                \
            fprintf(stderr, "%s:%d: got  \"%s\"\n%*swant \"%s\"\n", __FILE__, __LINE__, g_, (int)strlen(__FILE__) + 6, \
                    "", w_);                                                                                           \
        }                                                                                                              \
    } while (0)
typedef void (*on_create_fn)(ANativeActivity *activity, void *saved, size_t saved_size);
void test_core(void);
void test_lifecycle(on_create_fn on_create);
void test_window_race(on_create_fn on_create, int rounds);
#endif
