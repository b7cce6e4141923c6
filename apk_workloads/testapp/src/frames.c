/* Frame statistics and pacing (README: "Frames"). */
#include "core.h"

#define NS_PER_S 1000000000LL
#define DEFAULT_PERIOD_NS 16666667LL /* 60 Hz until vsync says otherwise */
#define MIN_PERIOD_NS 4000000LL      /* no display above 250 Hz: shorter gaps are jitter */

void asuite_frames_reset(struct asuite_frames *f)
{
    memset(f, 0, sizeof *f);
}

void asuite_frames_clear_batch(struct asuite_frames *f)
{
    f->seq += f->n;
    f->n = 0;
}

int asuite_frames_add(struct asuite_frames *f, long dur_us, long deadline_us)
{
    /* One line carries one deadline: a change (vsync learnt) closes the batch first. */
    if (f->n > 0 && deadline_us != f->deadline_us)
        return -1;
    f->deadline_us = deadline_us;
    f->dur_us[f->n++] = dur_us;
    f->total++;
    if (dur_us > deadline_us)
        f->janky++;
    return f->n == ASUITE_BATCH;
}

void asuite_pacer_init(struct asuite_pacer *p, long fps, int64_t now_ns)
{
    p->period_ns = fps > 0 ? NS_PER_S / fps : DEFAULT_PERIOD_NS;
    p->next_ns = now_ns;
    p->last_vsync_ns = 0;
    p->vsync_learnt = 0;
}

int64_t asuite_pacer_next(struct asuite_pacer *p, int64_t now_ns)
{
    if (p->next_ns < now_ns) {
        /* Late: skip the slots already gone instead of bursting to catch up. */
        int64_t missed = (now_ns - p->next_ns + p->period_ns - 1) / p->period_ns;
        p->next_ns += missed * p->period_ns;
    }
    int64_t slot = p->next_ns;
    p->next_ns += p->period_ns;
    return slot;
}

void asuite_pacer_vsync(struct asuite_pacer *p, int64_t frame_time_ns)
{
    /* The smallest gap between consecutive vsync callbacks is the refresh period
     * (a late callback only ever lengthens a gap). */
    if (p->last_vsync_ns != 0) {
        int64_t gap = frame_time_ns - p->last_vsync_ns;
        if (gap >= MIN_PERIOD_NS && (!p->vsync_learnt || gap < p->period_ns)) {
            p->period_ns = gap;
            p->vsync_learnt = 1;
        }
    }
    p->last_vsync_ns = frame_time_ns;
}

long asuite_pacer_deadline_us(const struct asuite_pacer *p)
{
    return (long)((p->period_ns + 500) / 1000);
}
