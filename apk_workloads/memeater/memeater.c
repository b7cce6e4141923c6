/*
 * memeater: a memory-pressure generator for android_suite.
 *
 * Allocates anonymous memory up to a target size at a target rate and keeps
 * writing to a working set of it, so that kswapd (not direct reclaim) has to
 * keep compressing pages into zram. That is the path kcompressd offloads:
 * direct reclaim, memory.reclaim and MADV_PAGEOUT stay synchronous.
 *
 * Every page holds NON-ZERO data. From Linux 6.12 (zeromap) zero-filled pages
 * never reach zram or kcompressd (they only count in vmstat swpout_zero), and
 * zram stores pages whose machine words are all equal as "same_pages" without
 * compressing them, so the filler is a seeded PRNG prefix (incompressible)
 * followed by a 64-byte motif of distinct non-zero bytes (compresses well,
 * never same-filled). --compressibility C makes (1 - C) of each page random.
 *
 * Output (stdout, line-buffered, one event per line, stable for parsers):
 *   memeater start pid=P version=1 page_size=4096 target_kb=K rate_kbps=R
 *            compressibility=C touch_fraction=F seed=S duration_s=D
 *   memeater progress t=1.00 allocated_kb=K touched_pages=N rate_kbps=R
 *   memeater end t=5.00 allocated_kb=K touched_pages=N reason=signal|duration|error
 * (start is one line). Exit status 0 on SIGTERM/SIGINT and at --duration.
 *
 * The marker below lets the android_suite virtual handset recognise the
 * pushed binary; keep it in sync with android_suite/virtual/commands/memeater.py.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

__attribute__((used)) static const char MARKER[] = "ANDROID_SUITE_MEMEATER v1";

#define MOTIF_BYTES 64

struct options {
	double size_mb;        /* target in MiB (0: use size_pct) */
	double size_pct;       /* target as a share of MemTotal, percent */
	double rate_mbps;      /* allocation rate, MiB/s (0: as fast as possible) */
	double compressibility;/* 0 = all random ... 1 = all motif */
	double touch_fraction; /* share of allocated pages written every touch period */
	double touch_period_s; /* one pass over the working set takes this long */
	double duration_s;     /* 0: run until signalled */
	double interval_s;     /* progress line period */
	uint64_t seed;
	long dump_pages;       /* >0: write that many filled pages to stdout and exit */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memeater [options]   (%s)\n"
		"  --size-mb N           target size in MiB\n"
		"  --size-pct P          target size as P%% of MemTotal (default 50)\n"
		"  --rate-mbps R         allocation rate in MiB/s (default 256; 0 = unpaced)\n"
		"  --compressibility C   0..1: share of each page that is a repeating motif (default 0.67)\n"
		"  --touch-fraction F    0..1: share of allocated pages written per touch period (default 0.5)\n"
		"  --touch-period S      seconds per pass over the working set (default 1)\n"
		"  --duration S          stop after S seconds (default 0 = until SIGTERM/SIGINT)\n"
		"  --interval S          seconds between progress lines (default 1)\n"
		"  --seed N              PRNG seed (default 1)\n"
		"  --dump-pages N        write N filled pages to stdout and exit (for tests)\n"
		"  --help                this text\n",
		MARKER);
}

/* splitmix64: small, seedable, good enough to defeat a compressor. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_double(const char *name, const char *text, double lo, double hi, double *out)
{
	char *end = NULL;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || end == text || *end != '\0' || value < lo || value > hi) {
		fprintf(stderr, "memeater: bad value for %s: '%s' (want %g..%g)\n", name, text, lo, hi);
		return -1;
	}
	*out = value;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "memeater: unknown option or missing value: %s\n", a);
			return -1;
		}
		const char *v = argv[++i];
		double d = 0;
		int rc;
		if (!strcmp(a, "--size-mb"))
			rc = parse_double(a, v, 1, 1 << 20, &o->size_mb);
		else if (!strcmp(a, "--size-pct"))
			rc = parse_double(a, v, 0.1, 100, &o->size_pct);
		else if (!strcmp(a, "--rate-mbps"))
			rc = parse_double(a, v, 0, 1 << 20, &o->rate_mbps);
		else if (!strcmp(a, "--compressibility"))
			rc = parse_double(a, v, 0, 1, &o->compressibility);
		else if (!strcmp(a, "--touch-fraction"))
			rc = parse_double(a, v, 0, 1, &o->touch_fraction);
		else if (!strcmp(a, "--touch-period"))
			rc = parse_double(a, v, 0.01, 3600, &o->touch_period_s);
		else if (!strcmp(a, "--duration"))
			rc = parse_double(a, v, 0, 1e7, &o->duration_s);
		else if (!strcmp(a, "--interval"))
			rc = parse_double(a, v, 0.01, 3600, &o->interval_s);
		else if (!strcmp(a, "--seed")) {
			rc = parse_double(a, v, 0, 1e15, &d);
			o->seed = (uint64_t)d;
		} else if (!strcmp(a, "--dump-pages")) {
			rc = parse_double(a, v, 1, 1 << 20, &d);
			o->dump_pages = (long)d;
		} else {
			fprintf(stderr, "memeater: unknown option: %s\n", a);
			return -1;
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* Bytes of each page that are random: whole 8-byte words, so touches stay aligned. */
static size_t random_bytes(const struct options *o, size_t page)
{
	size_t n = (size_t)((1.0 - o->compressibility) * (double)page + 0.5);
	return n & ~(size_t)7;
}

static void fill_page(unsigned char *p, size_t page, size_t nrandom, const unsigned char *motif,
		      uint64_t *rng)
{
	for (size_t i = 0; i < nrandom; i += 8) {
		uint64_t r = next_random(rng) | 1; /* never an all-zero word */
		memcpy(p + i, &r, 8);
	}
	for (size_t i = nrandom; i < page; i++)
		p[i] = motif[i % MOTIF_BYTES];
}

static void make_motif(unsigned char *motif, uint64_t seed)
{
	uint64_t s = seed ^ 0x6D656D6561746572ULL; /* "memeater" */
	for (int i = 0; i < MOTIF_BYTES; i++)
		motif[i] = (unsigned char)(1 + (i * 37 + (next_random(&s) & 0x3)) % 255); /* varied, never 0 */
}

static size_t target_bytes(const struct options *o, size_t page)
{
	if (o->size_mb > 0)
		return (size_t)(o->size_mb * 1024 * 1024) / page * page;
	double total = (double)sysconf(_SC_PHYS_PAGES) * (double)page;
	return (size_t)(total * o->size_pct / 100.0) / page * page;
}

static int dump_pages(const struct options *o, size_t page)
{
	unsigned char motif[MOTIF_BYTES];
	unsigned char *buf = malloc(page);
	uint64_t rng = o->seed;
	if (!buf)
		return 1;
	make_motif(motif, o->seed);
	for (long i = 0; i < o->dump_pages; i++) {
		fill_page(buf, page, random_bytes(o, page), motif, &rng);
		if (fwrite(buf, 1, page, stdout) != page)
			return 1;
	}
	free(buf);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct options o = {
		.size_pct = 50, .rate_mbps = 256, .compressibility = 0.67, .touch_fraction = 0.5,
		.touch_period_s = 1.0, .interval_s = 1.0, .seed = 1,
	};
	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (o.dump_pages > 0)
		return dump_pages(&o, page);
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: nanosleep returns early */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	size_t target = target_bytes(&o, page);
	size_t npages = target / page;
	size_t nrandom = random_bytes(&o, page);
	unsigned char motif[MOTIF_BYTES];
	make_motif(motif, o.seed);
	uint64_t rng = o.seed;

	printf("memeater start pid=%d version=1 page_size=%zu target_kb=%zu rate_kbps=%.0f "
	       "compressibility=%.3f touch_fraction=%.3f seed=%llu duration_s=%.3f\n",
	       (int)getpid(), page, target / 1024, o.rate_mbps * 1024, o.compressibility,
	       o.touch_fraction, (unsigned long long)o.seed, o.duration_s);

	/* MAP_NORESERVE: the point is to overcommit and let reclaim cope. */
	unsigned char *mem = npages ? mmap(NULL, target, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
				    : NULL;
	if (npages && mem == MAP_FAILED) {
		printf("memeater end t=0.000 allocated_kb=0 touched_pages=0 reason=error errno=%d\n", errno);
		return 1;
	}

	const double tick = 0.02;
	double start = now_s(), last_report = start, touch_carry = 0;
	size_t filled = 0, filled_at_report = 0, cursor = 0;
	unsigned long long touched = 0;
	const char *reason = "signal";
	while (!stop_signal) {
		double t = now_s() - start;
		if (o.duration_s > 0 && t >= o.duration_s) {
			reason = "duration";
			break;
		}
		/* Allocate: as many pages as the rate allows by now. */
		size_t want = npages;
		if (o.rate_mbps > 0) {
			double allowed = o.rate_mbps * 1024 * 1024 * t / (double)page;
			if (allowed < (double)npages)
				want = (size_t)allowed;
		}
		while (filled < want && !stop_signal) {
			fill_page(mem + filled * page, page, nrandom, motif, &rng);
			filled++;
			if ((filled & 255) == 0 && now_s() - start - t > tick)
				break; /* stay responsive: report and touch between bursts */
		}
		/* Touch: one write per page over the working set, a full pass per touch period. */
		size_t ws = (size_t)((double)filled * o.touch_fraction);
		if (ws > 0) {
			touch_carry += (double)ws * tick / o.touch_period_s;
			size_t n = (size_t)touch_carry;
			touch_carry -= (double)n;
			for (size_t i = 0; i < n && !stop_signal; i++) {
				if (cursor >= ws)
					cursor = 0;
				uint64_t *w = (uint64_t *)(mem + cursor * page);
				if (nrandom >= 8)
					*w = next_random(&rng) | 1; /* new random word, same compressibility */
				else
					*(volatile uint64_t *)w = *w; /* a write with the same motif bytes */
				cursor++;
				touched++;
			}
		}
		double now = now_s();
		if (now - last_report >= o.interval_s) {
			double kbps = (double)(filled - filled_at_report) * (double)page / 1024 / (now - last_report);
			printf("memeater progress t=%.3f allocated_kb=%zu touched_pages=%llu rate_kbps=%.0f\n",
			       now - start, filled * page / 1024, touched, kbps);
			last_report = now;
			filled_at_report = filled;
		}
		double rest = tick - (now_s() - now);
		if (rest > 0) {
			struct timespec ts = {0, (long)(rest * 1e9)};
			nanosleep(&ts, NULL);
		}
	}
	printf("memeater end t=%.3f allocated_kb=%zu touched_pages=%llu reason=%s\n", now_s() - start,
	       filled * page / 1024, touched, reason);
	if (mem)
		munmap(mem, target);
	return 0;
}
