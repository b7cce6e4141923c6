/*
 * asuite-app: one "app" of the real-kernel virtual handset, as a guest process.
 *
 *   asuite-app --name NAME --anon-mb N --ratio R --stats PATH
 *
 * Allocates N MiB of anonymous memory filled with NON-ZERO data whose
 * compressibility is R (0 = random .. 0.9 = very compressible): from Linux
 * 6.12 zero pages never reach zram, and same-filled pages are not compressed,
 * so each page is a random prefix plus a repeating non-zero motif.
 *
 * SIGUSR1 brings it to the foreground: it writes every page of the working set
 * (pages swapped out to zram fault back in: that time is the launch cost),
 * records how long it took, then renders: each 16.67 ms frame touches a slice
 * of the working set plus fixed CPU work; a frame that misses its vsync is
 * janky. SIGUSR2 sends it to the background (rendering stops).
 * After each event and every second while rendering it rewrites PATH
 * atomically (tmp + rename) as key=value lines (see write_stats()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define FRAME_NS 16666667L
#define MAX_FRAMES 100000 /* frame times kept for percentiles (~28 min at 60 Hz) */
#define SLICES 30         /* one frame touches 1/SLICES of the working set */

static volatile sig_atomic_t want_fg, want_bg, want_exit;

static void on_usr1(int s) { (void)s; want_fg = 1; }
static void on_usr2(int s) { (void)s; want_bg = 1; }
static void on_term(int s) { (void)s; want_exit = 1; }

struct app {
	const char *name, *stats;
	unsigned char *mem;
	size_t pages, page;
	double ratio;
	int foreground;
	long touch_count;
	double last_touch_ms;
	long frames, janky;
	float *frame_ms;
	size_t slice;
	uint64_t rng;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t next_random(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void fill_page(struct app *a, unsigned char *p)
{
	size_t nrandom = (size_t)((1.0 - a->ratio) * (double)a->page);
	size_t i = 0;
	for (; i + 8 <= nrandom; i += 8) {
		uint64_t v = next_random(&a->rng) | 0x0101010101010101ULL; /* no zero bytes */
		memcpy(p + i, &v, 8);
	}
	for (; i < a->page; i++)
		p[i] = (unsigned char)(1 + (i * 37) % 251);
}

/* Write (not just read) each page: a swapped-out page must come back and be dirtied. */
static void touch_range(struct app *a, size_t first, size_t count)
{
	for (size_t i = first; i < first + count && i < a->pages; i++) {
		volatile unsigned char *p = a->mem + i * a->page;
		p[0] = (unsigned char)(p[0] | 1);
		p[a->page / 2] = (unsigned char)(p[a->page / 2] | 1);
	}
}

static int cmp_float(const void *x, const void *y)
{
	float a = *(const float *)x, b = *(const float *)y;
	return (a > b) - (a < b);
}

static double percentile(const float *sorted, long n, double q)
{
	if (n <= 0)
		return 0;
	long i = (long)(q * (double)(n - 1) + 0.5);
	return sorted[i];
}

static void write_stats(struct app *a)
{
	long n = a->frames < MAX_FRAMES ? a->frames : MAX_FRAMES;
	float *sorted = NULL;
	if (n > 0 && (sorted = malloc((size_t)n * sizeof *sorted))) {
		memcpy(sorted, a->frame_ms, (size_t)n * sizeof *sorted);
		qsort(sorted, (size_t)n, sizeof *sorted, cmp_float);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", a->stats, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		free(sorted);
		return;
	}
	fprintf(f, "name=%s\npid=%d\nanon_kb=%zu\ntouch_count=%ld\nlast_touch_ms=%.3f\n", a->name, (int)getpid(),
		a->pages * a->page / 1024, a->touch_count, a->last_touch_ms);
	fprintf(f, "frames=%ld\njanky=%ld\nframe_ms_p50=%.3f\nframe_ms_p90=%.3f\nframe_ms_max=%.3f\n", a->frames,
		a->janky, sorted ? percentile(sorted, n, 0.5) : 0.0, sorted ? percentile(sorted, n, 0.9) : 0.0,
		sorted ? (double)sorted[n - 1] : 0.0);
	fprintf(f, "majflt=%ld\nstate=%s\n", ru.ru_majflt, a->foreground ? "foreground" : "background");
	free(sorted);
	if (fclose(f) == 0)
		rename(tmp, a->stats);
	else
		unlink(tmp);
}

static void to_foreground(struct app *a)
{
	double t0 = now_ms();
	touch_range(a, 0, a->pages);
	a->last_touch_ms = now_ms() - t0;
	a->touch_count++;
	a->foreground = 1;
	write_stats(a);
}

/* Fixed CPU work standing in for layout and drawing. */
static uint64_t cpu_work(uint64_t seed)
{
	for (int i = 0; i < 100000; i++)
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return seed;
}

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR && !want_fg && !want_bg &&
	       !want_exit)
		;
}

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void render_loop(struct app *a)
{
	struct timespec vsync;
	clock_gettime(CLOCK_MONOTONIC, &vsync);
	double last_stats = now_ms();
	volatile uint64_t sink = 0;
	while (!want_bg && !want_exit && !want_fg) {
		add_ns(&vsync, FRAME_NS);
		double start = now_ms();
		size_t per = a->pages / SLICES + 1;
		touch_range(a, a->slice * per, per);
		a->slice = (a->slice + 1) % SLICES;
		sink += cpu_work(sink + (uint64_t)a->frames);
		double took = now_ms() - start;
		if (a->frames < MAX_FRAMES)
			a->frame_ms[a->frames] = (float)took;
		a->frames++;
		if (took > FRAME_NS / 1e6)
			a->janky++;
		/* A late frame skips the vsyncs it missed, as a real choreographer does. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		while (now.tv_sec > vsync.tv_sec || (now.tv_sec == vsync.tv_sec && now.tv_nsec > vsync.tv_nsec))
			add_ns(&vsync, FRAME_NS);
		if (now_ms() - last_stats >= 1000) {
			write_stats(a);
			last_stats = now_ms();
		}
		sleep_until(&vsync);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: asuite-app --name NAME --anon-mb N --ratio R --stats PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct app a = {.name = "app", .ratio = 0.6, .page = (size_t)sysconf(_SC_PAGESIZE)};
	double mb = 64;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--name"))
			a.name = argv[i + 1];
		else if (!strcmp(argv[i], "--anon-mb"))
			mb = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--ratio"))
			a.ratio = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--stats"))
			a.stats = argv[i + 1];
		else
			usage();
	}
	if (!a.stats || mb <= 0 || a.ratio < 0 || a.ratio > 0.95 || argc % 2 == 0)
		usage();
	a.pages = (size_t)(mb * 1024 * 1024) / a.page;
	a.rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
	a.frame_ms = calloc(MAX_FRAMES, sizeof *a.frame_ms);
	a.mem = mmap(NULL, a.pages * a.page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a.mem == MAP_FAILED || !a.frame_ms) {
		perror("asuite-app: allocate");
		return 1;
	}
	for (size_t i = 0; i < a.pages; i++)
		fill_page(&a, a.mem + i * a.page);

	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	write_stats(&a);

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	while (!want_exit) {
		if (want_fg) {
			want_fg = 0;
			to_foreground(&a);
		}
		if (want_bg) {
			want_bg = 0;
			a.foreground = 0;
			write_stats(&a);
		}
		if (a.foreground) {
			render_loop(&a);
			continue;
		}
		/* Wait for a signal without losing one that arrives before we sleep. */
		sigprocmask(SIG_BLOCK, &block, &old);
		if (!want_fg && !want_bg && !want_exit)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	a.foreground = 0;
	write_stats(&a);
	return 0;
}
