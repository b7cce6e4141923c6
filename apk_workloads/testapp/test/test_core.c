/* The plain-C logic: settings, fill/touch/paint, frames, pacing, log lines. */
#include "../src/asuite_ndk.h"
#include "../src/core.h"
#include "check.h"

static void test_config(void)
{
    struct asuite_config c;
    char err[128] = "";
    asuite_config_defaults(&c);
    CHECK(c.anon_mb == 64 && c.ratio_milli == 500 && c.touch_pct == 50 && c.fps == 0);
    const char *conf = "# comment\r\nanon_mb = 96\r\n\nratio=0.25\ntouch_pct=100\nframe_work_us=0\nfps=90";
    CHECK(asuite_config_parse(&c, conf, strlen(conf), err, sizeof err) == 0);
    CHECK(c.anon_mb == 96 && c.ratio_milli == 250 && c.touch_pct == 100 && c.frame_work_us == 0 && c.fps == 90);
    CHECK(asuite_config_set(&c, "ratio", ".9", err, sizeof err) == 0 && c.ratio_milli == 900);
    CHECK(asuite_config_set(&c, "ratio", "0", err, sizeof err) == 0 && c.ratio_milli == 0);
    CHECK(asuite_config_set(&c, "ratio", "0.95", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "ratio", "1", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "ratio", "0.1234", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "touch_pct", "101", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "anon_mb", "-1", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "anon_mb", "1234567890", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "anon_mb", "", err, sizeof err) == -2);
    CHECK(asuite_config_set(&c, "colour", "red", err, sizeof err) == -1);
    CHECK_STR(err, "unknown key colour");
    CHECK(c.ratio_milli == 0 && c.anon_mb == 96); /* rejected values change nothing */
    const char *bad = "anon_mb=1\nnonsense\nfps=999\nfps=30\n";
    CHECK(asuite_config_parse(&c, bad, strlen(bad), err, sizeof err) == 2);
    CHECK_STR(err, "not key=value: nonsense");
    CHECK(c.anon_mb == 1 && c.fps == 30);
    char longline[300];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    CHECK(asuite_config_parse(&c, longline, strlen(longline), err, sizeof err) == 1);
}

static void test_fill_touch(void)
{
    size_t page = 4096, len = 64 * page;
    unsigned char *mem = malloc(len);
    for (long ratio = 0; ratio <= 900; ratio += 300) {
        asuite_fill(mem, len, page, ratio, 42);
        size_t tail = 0, zero_pages = 0;
        for (size_t p = 0; p < len; p += page) {
            size_t nonzero = 0;
            for (size_t i = 0; i < page; i++)
                nonzero += mem[p + i] != 0;
            zero_pages += nonzero == 0;
            /* the constant tail: bytes equal to the page's last byte, counted back from the end */
            size_t t = 0;
            while (t < page && mem[p + page - 1 - t] == mem[p + page - 1])
                t++;
            tail += t;
        }
        double share = (double)tail / (double)len;
        CHECK(zero_pages == 0);
        CHECK(share >= ratio / 1000.0 - 0.01 && share <= ratio / 1000.0 + 0.02);
    }
    uint64_t a = asuite_fill(mem, len, page, 600, 7), b = asuite_fill(mem, len, page, 600, 7);
    CHECK(a == b);
    size_t touched = 0;
    asuite_touch(mem, len, page, 50, &touched);
    CHECK(touched == 32 * page);
    asuite_touch(mem, len, page, 100, &touched);
    CHECK(touched == len);
    asuite_touch(mem, 0, page, 100, &touched);
    CHECK(touched == 0);
    free(mem);
}

static void test_paint(void)
{
    int32_t w = 5, h = 3, stride = 8;
    uint32_t *bits = malloc(sizeof *bits * (size_t)stride * (size_t)h); /* exact: ASan sees any overrun */
    for (int i = 0; i < stride * h; i++)
        bits[i] = 0xdeadbeef;
    asuite_paint(bits, w, h, stride, 3);
    int padding_kept = 1, painted = 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < stride; x++) {
            uint32_t px = bits[y * stride + x];
            if (x >= w)
                padding_kept &= px == 0xdeadbeef;
            else
                painted &= (px >> 24) == 0xff && px != 0xdeadbeef;
        }
    CHECK(padding_kept && painted);
    free(bits);
}

static void test_frames_and_lines(void)
{
    struct asuite_frames f;
    char line[ASUITE_LINE_MAX];
    asuite_frames_reset(&f);
    for (int i = 0; i < ASUITE_BATCH - 1; i++)
        CHECK(asuite_frames_add(&f, i == 3 ? 20000 : 1000 + i, 16667) == 0);
    CHECK(asuite_frames_add(&f, 17000, 16667) == 1);
    CHECK(f.total == 60 && f.janky == 2);
    asuite_fmt_frames(line, sizeof line, "org.x", &f);
    const char *head = "v1 frames pkg=org.x seq=0 deadline_us=16667 dur_us=1000,1001,1002,20000,1004,";
    CHECK(strncmp(line, head, strlen(head)) == 0);
    CHECK(strlen(line) < 600 && strstr(line, ",17000") && !strstr(line, ",17000,"));
    asuite_frames_clear_batch(&f);
    CHECK(f.seq == 60 && f.n == 0 && f.total == 60);
    CHECK(asuite_frames_add(&f, 500, 11111) == 0);
    CHECK(asuite_frames_add(&f, 500, 8333) == -1); /* a new deadline starts a new line */
    asuite_fmt_start(line, sizeof line, "org.x", 1234, 65536, 600, 12345678, 16);
    CHECK_STR(line, "v1 start pkg=org.x pid=1234 anon_kb=65536 ratio=0.600 fill_ms=12.346 page_kb=16");
    asuite_fmt_resume(line, sizeof line, "org.x", 32768, 999);
    CHECK_STR(line, "v1 resume pkg=org.x touch_kb=32768 touch_ms=0.001");
    asuite_fmt_pause(line, sizeof line, "org.x", 120, 3);
    CHECK_STR(line, "v1 pause pkg=org.x frames=120 janky=3");
    asuite_fmt_stop(line, sizeof line, "org.x");
    CHECK_STR(line, "v1 stop pkg=org.x");
    asuite_fmt_error(line, sizeof line, "org.x", "extra", "ratio must be 0..0.9: 2\nsecond");
    CHECK_STR(line, "v1 error pkg=org.x what=extra detail=ratio must be 0..0.9: 2 second");
    char tiny[12];
    asuite_fmt_stop(tiny, sizeof tiny, "org.example.long");
    CHECK_STR(tiny, "v1 stop pkg");
}

static void test_pacer(void)
{
    struct asuite_pacer p;
    asuite_pacer_init(&p, 100, 1000);
    CHECK(asuite_pacer_next(&p, 1000) == 1000);
    CHECK(asuite_pacer_next(&p, 1000) == 10001000);
    CHECK(asuite_pacer_next(&p, 45000000) == 50001000); /* slots 20 M, 30 M, 40 M gone: skipped */
    CHECK(asuite_pacer_deadline_us(&p) == 10000);
    asuite_pacer_init(&p, 0, 0);
    CHECK(asuite_pacer_deadline_us(&p) == 16667);
    asuite_pacer_vsync(&p, 100000000);
    asuite_pacer_vsync(&p, 133333333); /* first gap: a 30 Hz panel, learnt as is */
    CHECK(asuite_pacer_deadline_us(&p) == 33333);
    asuite_pacer_vsync(&p, 144444444); /* 90 Hz gaps shorten it */
    asuite_pacer_vsync(&p, 144444445); /* jitter below 4 ms is ignored */
    CHECK(asuite_pacer_deadline_us(&p) == 11111);
}

void test_core(void)
{
    test_config();
    test_fill_touch();
    test_paint();
    test_frames_and_lines();
    test_pacer();
}
