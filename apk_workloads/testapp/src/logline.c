/* The "v1" logcat lines (format: ../README.md "Logcat"; parser: android_suite/parsers/testapp_log.py). */
#include "core.h"

struct buf {
    char *p;
    size_t cap, len;
};

static void put_str(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (b->len + 1 < b->cap)
            b->p[b->len++] = (*s == '\n' || *s == '\r') ? ' ' : *s; /* one event, one line */
    }
    if (b->cap)
        b->p[b->len < b->cap ? b->len : b->cap - 1] = '\0';
}

static void put_long(struct buf *b, long v)
{
    char tmp[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    put_str(b, out);
}

/* value/1000 with exactly three decimals, e.g. 1234 -> "1.234" (no libc %f needed). */
static void put_milli(struct buf *b, int64_t milli)
{
    if (milli < 0) {
        put_str(b, "-");
        milli = -milli;
    }
    put_long(b, (long)(milli / 1000));
    char frac[5] = {'.', (char)('0' + milli / 100 % 10), (char)('0' + milli / 10 % 10), (char)('0' + milli % 10), 0};
    put_str(b, frac);
}

static struct buf begin(char *out, size_t cap, const char *event, const char *pkg)
{
    struct buf b = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    put_str(&b, "v1 ");
    put_str(&b, event);
    put_str(&b, " pkg=");
    put_str(&b, pkg);
    return b;
}

static int64_t ns_to_us(int64_t ns) { return (ns + 500) / 1000; }

size_t asuite_fmt_start(char *out, size_t cap, const char *pkg, long pid, long anon_kb, long ratio_milli,
                        int64_t fill_ns, long page_kb)
{
    struct buf b = begin(out, cap, "start", pkg);
    put_str(&b, " pid=");
    put_long(&b, pid);
    put_str(&b, " anon_kb=");
    put_long(&b, anon_kb);
    put_str(&b, " ratio=");
    put_milli(&b, ratio_milli);
    put_str(&b, " fill_ms=");
    put_milli(&b, ns_to_us(fill_ns));
    put_str(&b, " page_kb=");
    put_long(&b, page_kb);
    return b.len;
}

size_t asuite_fmt_resume(char *out, size_t cap, const char *pkg, long touch_kb, int64_t touch_ns)
{
    struct buf b = begin(out, cap, "resume", pkg);
    put_str(&b, " touch_kb=");
    put_long(&b, touch_kb);
    put_str(&b, " touch_ms=");
    put_milli(&b, ns_to_us(touch_ns));
    return b.len;
}

size_t asuite_fmt_frames(char *out, size_t cap, const char *pkg, const struct asuite_frames *f)
{
    struct buf b = begin(out, cap, "frames", pkg);
    put_str(&b, " seq=");
    put_long(&b, f->seq);
    put_str(&b, " deadline_us=");
    put_long(&b, f->deadline_us);
    put_str(&b, " dur_us=");
    for (int i = 0; i < f->n; i++) {
        if (i)
            put_str(&b, ",");
        put_long(&b, f->dur_us[i]);
    }
    return b.len;
}

size_t asuite_fmt_pause(char *out, size_t cap, const char *pkg, long frames, long janky)
{
    struct buf b = begin(out, cap, "pause", pkg);
    put_str(&b, " frames=");
    put_long(&b, frames);
    put_str(&b, " janky=");
    put_long(&b, janky);
    return b.len;
}

size_t asuite_fmt_stop(char *out, size_t cap, const char *pkg)
{
    return begin(out, cap, "stop", pkg).len;
}

size_t asuite_fmt_error(char *out, size_t cap, const char *pkg, const char *what, const char *detail)
{
    struct buf b = begin(out, cap, "error", pkg);
    put_str(&b, " what=");
    put_str(&b, what);
    put_str(&b, " detail=");
    put_str(&b, detail);
    return b.len;
}
