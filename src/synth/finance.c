/* finance.c - finance.csv of the synthetic state (issue 9, the `funding`
 * report): each year, every school's current expenditure by source and the
 * pupils it served, and each district's spending on the district as a whole
 * (school_id blank). The shape follows what (F)(1)(ii) asks about: state aid
 * rises with poverty (a progressive formula), local revenue falls with it
 * (poorer districts have less property wealth), federal money follows
 * poverty and Title I. Random numbers come from their own stream, so the
 * other files are the same with or without this one. */
#include <math.h>
#include <stdlib.h>

#include "synth/model.h"

enum { SRC_FEDERAL, SRC_STATE, SRC_LOCAL, N_SOURCES };
static const char *const source_codes[N_SOURCES] = {"FEDERAL", "STATE", "LOCAL"};

/* Per-pupil dollars of a school from each source. */
static void per_pupil(const synth_school *s, double lea_poverty, synth_rng *r, double out[N_SOURCES])
{
    double pov = s->poverty;
    out[SRC_FEDERAL] = 350.0 + (s->title1 ? 1900.0 : 400.0) * pov;
    out[SRC_STATE] = 6200.0 * (1.0 + 0.45 * pov);
    out[SRC_LOCAL] = 5600.0 * fmax(0.25, 1.35 - lea_poverty);
    for (int k = 0; k < N_SOURCES; k++)
        out[k] *= exp(0.06 * synth_normal(r));
}

static void put_row(synth_csv *f, uint32_t lea, const uint32_t *school, int year, int source,
                    double dollars, uint64_t pupils)
{
    synth_put_lea_id(f, lea);
    if (school)
        synth_put_school_id(f, *school);
    else
        synth_csv_blank(f);
    synth_csv_uint(f, (uint64_t)year);
    synth_csv_str(f, source_codes[source]);
    synth_csv_fixed(f, dollars, 0);
    synth_csv_uint(f, pupils);
    synth_csv_end_row(f);
}

int synth_write_finance(synth_ctx *c, int year)
{
    synth_csv *f = synth_file(c, SLDS_SYNTH_FINANCE);
    synth_rng r;
    synth_rng_seed(&r, c->p.seed, STREAM_FINANCE, (uint64_t)year);
    const synth_year *yr = &c->yr;
    for (uint32_t l = 0; l < c->n_leas; l++) {
        const synth_lea *lea = &c->leas[l];
        double sums[N_SOURCES] = {0};
        uint64_t lea_pupils = 0;
        for (uint32_t s = lea->first_school; s < lea->first_school + lea->n_schools; s++) {
            uint64_t pupils = 0;
            for (int g = 0; g < N_GRADES; g++)
                pupils += yr->grade_count[(size_t)s * N_GRADES + (size_t)g];
            if (!pupils)
                continue;
            double pp[N_SOURCES];
            per_pupil(&c->schools[s], lea->poverty, &r, pp);
            for (int k = 0; k < N_SOURCES; k++) {
                double dollars = round(pp[k] * (double)pupils);
                sums[k] += dollars;
                put_row(f, l, &s, year, k, dollars, pupils);
            }
            lea_pupils += pupils;
        }
        if (!lea_pupils)
            continue;
        /* The district's own spending (central office, transport, services
         * to every school): 6-10% on top of its schools'. */
        double share = 0.06 + 0.04 * synth_uniform(&r);
        for (int k = 0; k < N_SOURCES; k++)
            put_row(f, l, NULL, year, k, round(share * sums[k]), lea_pupils);
    }
    return SLDS_OK;
}
