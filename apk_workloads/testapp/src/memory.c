/* The working set: fill with chosen compressibility, touch on resume, paint frames. */
#include "core.h"

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64*: fast, and its output does not compress (ratio 0 means random). */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

uint64_t asuite_fill(unsigned char *mem, size_t len, size_t page, long ratio_milli, uint64_t seed)
{
    uint64_t state = seed ? seed : 0x9E3779B97F4A7C15ULL;
    uint64_t sum = 0;
    /* Per page: a random head, then a constant non-zero tail that lz4/zstd squeeze away.
     * The head is never empty, so no page is zero or same-filled (zram stores
     * those specially, which would skew the ratio). Rounded to whole words. */
    size_t random_bytes = (page * (size_t)(1000 - ratio_milli) / 1000) & ~(size_t)7;
    if (random_bytes < 8)
        random_bytes = 8;
    for (size_t off = 0; off + page <= len; off += page) {
        unsigned char *p = mem + off;
        for (size_t i = 0; i < random_bytes; i += 8) {
            uint64_t r = next_rand(&state);
            memcpy(p + i, &r, 8);
        }
        unsigned char tail = (unsigned char)(0x80 | ((off / page) & 0x7f));
        memset(p + random_bytes, tail, page - random_bytes);
        sum += p[0] + tail;
    }
    return sum;
}

uint64_t asuite_touch(const unsigned char *mem, size_t len, size_t page, long pct, size_t *touched)
{
    size_t pages = len / page;
    size_t want = (size_t)((uint64_t)pages * (uint64_t)pct / 100u);
    uint64_t sum = 0;
    for (size_t i = 0; i < want; i++) {
        uint64_t w;
        memcpy(&w, mem + i * page, 8);
        sum += w;
    }
    *touched = want * page;
    return sum;
}

void asuite_paint(uint32_t *bits, int32_t width, int32_t height, int32_t stride, long frame)
{
    /* A band that moves one row per frame: cheap, and any tearing is visible. */
    for (int32_t y = 0; y < height; y++) {
        uint32_t *row = bits + (size_t)y * (size_t)stride;
        uint32_t shade = (uint32_t)((y + frame) & 0xff);
        uint32_t px = 0xff000000u | (shade << 16) | ((255 - shade) << 8) | (uint32_t)((frame * 3) & 0xff);
        for (int32_t x = 0; x < width; x++)
            row[x] = px;
    }
}
