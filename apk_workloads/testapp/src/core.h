/*
 * The app's logic, free of any NDK call so the host tests can drive it:
 * settings (asuite.conf text and key=value overrides), the anonymous-memory
 * fill and touch, frame bookkeeping and pacing, and the "v1" logcat lines
 * (format in ../README.md; the suite's parser reads them).
 */
#ifndef ASUITE_CORE_H
#define ASUITE_CORE_H

#include "asuite_sys.h"

#define ASUITE_TAG "ASuiteApp"
#define ASUITE_LINE_MAX 1024
#define ASUITE_BATCH 60 /* frame durations per "v1 frames" line */
#define ASUITE_NKEYS 5

struct asuite_config {
    long anon_mb;       /* MiB of anonymous memory allocated on create */
    long ratio_milli;   /* compressible share of each page, 0..900 (ratio 0..0.9) */
    long touch_pct;     /* percent of the working set read on each resume, 0..100 */
    long frame_work_us; /* CPU work per frame */
    long fps;           /* 0 = display rate (vsync), else a fixed clock-paced rate */
};

extern const char *const asuite_config_keys[ASUITE_NKEYS];

void asuite_config_defaults(struct asuite_config *cfg);
/* 0 on success; -1 unknown key, -2 bad value (err says which). */
int asuite_config_set(struct asuite_config *cfg, const char *key, const char *value, char *err, size_t errlen);
/* Applies every key=value line; returns how many lines were rejected (first one in err). */
int asuite_config_parse(struct asuite_config *cfg, const char *text, size_t len, char *err, size_t errlen);

/* Fills [mem, mem+len) page by page; returns a checksum. Deterministic for a seed. */
uint64_t asuite_fill(unsigned char *mem, size_t len, size_t page, long ratio_milli, uint64_t seed);
/* Reads one word per page over the first pct percent of the pages. */
uint64_t asuite_touch(const unsigned char *mem, size_t len, size_t page, long pct, size_t *touched);
/* Paints one frame into an RGBX_8888 buffer whose rows are stride pixels apart. */
void asuite_paint(uint32_t *bits, int32_t width, int32_t height, int32_t stride, long frame);

struct asuite_frames {
    long seq;         /* index of the first frame in the batch */
    int n;            /* durations in the batch */
    long dur_us[ASUITE_BATCH];
    long total;       /* frames since the last reset (one resume) */
    long janky;       /* of which over the deadline */
    long deadline_us; /* deadline of the frames in the batch */
};
void asuite_frames_reset(struct asuite_frames *f);
/* Records one frame; returns 1 when the batch is full (format it, then _clear). */
int asuite_frames_add(struct asuite_frames *f, long dur_us, long deadline_us);
void asuite_frames_clear_batch(struct asuite_frames *f);

/* Frame pacing.  Clock mode: a fixed period on CLOCK_MONOTONIC, missed slots skipped.
 * Vsync mode: the period is learnt from the choreographer's frame times. */
struct asuite_pacer {
    int64_t period_ns;
    int64_t next_ns;
    int64_t last_vsync_ns;
    int vsync_learnt; /* period_ns came from vsync gaps (else 60 Hz assumed) */
};
void asuite_pacer_init(struct asuite_pacer *p, long fps, int64_t now_ns);
/* The start of the next frame slot at or after now_ns. */
int64_t asuite_pacer_next(struct asuite_pacer *p, int64_t now_ns);
void asuite_pacer_vsync(struct asuite_pacer *p, int64_t frame_time_ns);
long asuite_pacer_deadline_us(const struct asuite_pacer *p);

/* Log lines (without tag); each returns the length written (always NUL-terminated). */
size_t asuite_fmt_start(char *out, size_t cap, const char *pkg, long pid, long anon_kb, long ratio_milli,
                        int64_t fill_ns, long page_kb);
size_t asuite_fmt_resume(char *out, size_t cap, const char *pkg, long touch_kb, int64_t touch_ns);
size_t asuite_fmt_frames(char *out, size_t cap, const char *pkg, const struct asuite_frames *f);
size_t asuite_fmt_pause(char *out, size_t cap, const char *pkg, long frames, long janky);
size_t asuite_fmt_stop(char *out, size_t cap, const char *pkg);
size_t asuite_fmt_error(char *out, size_t cap, const char *pkg, const char *what, const char *detail);

#endif
