/* Settings: defaults, asuite.conf lines and key=value overrides (README: "Settings"). */
#include "core.h"

const char *const asuite_config_keys[ASUITE_NKEYS] = {"anon_mb", "ratio", "touch_pct", "frame_work_us", "fps"};

void asuite_config_defaults(struct asuite_config *cfg)
{
    cfg->anon_mb = 64;
    cfg->ratio_milli = 500;
    cfg->touch_pct = 50;
    cfg->frame_work_us = 2000;
    cfg->fps = 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void set_err(char *err, size_t errlen, const char *a, const char *b)
{
    size_t n = 0;
    if (errlen == 0)
        return;
    for (const char *s = a; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    for (const char *s = b; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    err[n] = '\0';
}

/* Non-negative decimal integer, at most 9 digits (no overflow anywhere below). */
static int parse_long(const char *s, long *out)
{
    long v = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 9)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (digits == 0 || *s != '\0')
        return -1;
    *out = v;
    return 0;
}

/* "0", "0.5", ".25", "0.125" -> thousandths; at most 3 decimals, integer part 0 or 1. */
static int parse_milli(const char *s, long *out)
{
    long whole = 0, frac = 0, scale = 100;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        whole = whole * 10 + (*s - '0');
    if (digits > 1)
        return -1;
    if (*s == '.') {
        s++;
        for (int k = 0; *s >= '0' && *s <= '9'; s++, k++, digits++) {
            if (k >= 3)
                return -1;
            frac += (*s - '0') * scale;
            scale /= 10;
        }
    }
    if (digits == 0 || *s != '\0')
        return -1;
    *out = whole * 1000 + frac;
    return 0;
}

int asuite_config_set(struct asuite_config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    long v = 0;
    long *slot;
    long max;
    int bad;
    if (strcmp(key, "ratio") == 0) {
        bad = parse_milli(value, &v) != 0 || v > 900;
        if (bad) {
            set_err(err, errlen, "ratio must be 0..0.9: ", value);
            return -2;
        }
        cfg->ratio_milli = v;
        return 0;
    }
    if (strcmp(key, "anon_mb") == 0) {
        slot = &cfg->anon_mb;
        max = 65536;
    } else if (strcmp(key, "touch_pct") == 0) {
        slot = &cfg->touch_pct;
        max = 100;
    } else if (strcmp(key, "frame_work_us") == 0) {
        slot = &cfg->frame_work_us;
        max = 1000000;
    } else if (strcmp(key, "fps") == 0) {
        slot = &cfg->fps;
        max = 240;
    } else {
        set_err(err, errlen, "unknown key ", key);
        return -1;
    }
    if (parse_long(value, &v) != 0 || v > max) {
        set_err(err, errlen, key, " out of range or not an integer");
        return -2;
    }
    *slot = v;
    return 0;
}

int asuite_config_parse(struct asuite_config *cfg, const char *text, size_t len, char *err, size_t errlen)
{
    char line[128];
    int errors = 0;
    size_t i = 0;
    while (i < len) {
        size_t n = 0;
        int overlong = 0;
        for (; i < len && text[i] != '\n'; i++) {
            if (n + 1 < sizeof line)
                line[n++] = text[i];
            else
                overlong = 1;
        }
        i++; /* past the newline */
        line[n] = '\0';
        char *k = line;
        while (is_space(*k))
            k++;
        char *end = line + n;
        while (end > k && is_space(end[-1]))
            *--end = '\0';
        if (*k == '\0' || *k == '#')
            continue;
        char *eq = k;
        while (*eq && *eq != '=')
            eq++;
        char local[96];
        if (overlong || *eq != '=') {
            if (errors++ == 0)
                set_err(err, errlen, overlong ? "line too long: " : "not key=value: ", k);
            continue;
        }
        char *v = eq + 1;
        char *kend = eq;
        while (kend > k && is_space(kend[-1]))
            kend--;
        *kend = '\0';
        while (is_space(*v))
            v++;
        if (asuite_config_set(cfg, k, v, errors == 0 ? err : local, errors == 0 ? errlen : sizeof local) != 0)
            errors++;
    }
    return errors;
}
