/*
 * The few libc declarations the app uses.
 *
 * Device builds are freestanding (-ffreestanding -nostdinc, only GCC's own
 * stddef/stdint/stdarg): there is no NDK sysroot here, so the prototypes that
 * bionic exports are declared by hand and resolved against the libc.so stub
 * generated from stubs/libc.syms.  Host builds (-DASUITE_HOSTED: sanitizer
 * tests, fake NDK) take the same names from glibc's real headers.
 */
#ifndef ASUITE_SYS_H
#define ASUITE_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef ASUITE_HOSTED
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
int __system_property_get(const char *name, char *value);
#else
typedef long ssize_t;
typedef long off_t;
typedef long time_t;
typedef int clockid_t;
typedef int pid_t;
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
typedef unsigned long pthread_t;
/*
 * Opaque and deliberately oversized: bionic's LP64 mutex is 40 bytes and its
 * condition variable 48, glibc's aarch64 mutex 48.  64 bytes fits both, so the
 * same .so also runs against glibc under qemu-user in the tests.  Only ever
 * initialised with pthread_*_init at run time, never by a static initialiser.
 */
typedef struct { _Alignas(16) unsigned char opaque[64]; } pthread_mutex_t;
typedef struct { _Alignas(16) unsigned char opaque[64]; } pthread_cond_t;

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define CLOCK_MONOTONIC 1
#define TIMER_ABSTIME 1
#define AT_PAGESZ 6

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t t, void **ret);
int pthread_mutex_init(pthread_mutex_t *m, const void *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_cond_init(pthread_cond_t *c, const void *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_broadcast(pthread_cond_t *c);
void *calloc(size_t n, size_t size);
void free(void *p);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
pid_t getpid(void);
unsigned long getauxval(unsigned long type);
int __system_property_get(const char *name, char *value);
#endif

#endif
