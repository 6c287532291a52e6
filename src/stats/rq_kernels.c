/* rq_kernels.c - the vector kernels of the quantile regression solver
 * (rq.c): dot products of rows and of columns, axpy, rank-one updates, each
 * with an AVX2 version chosen at run time (bit-identical to the plain
 * loops' results where the design notes in rq.c say so). */
#include "stats/rq_internal.h"

/* ------------------------------------------------------------------ */

/* Vector types (GNU C vector extensions): two doubles (SSE2 on plain x86-64,
 * NEON on arm64), and on x86-64 four (AVX2), used only in functions compiled
 * for AVX2 and called when the CPU has it (have_avx2). Loads and stores at any
 * double-aligned address. */
#if defined(__GNUC__)
#define RQ_VEC 1
typedef double rq_v2 __attribute__((vector_size(16), aligned(8), may_alias));
#define v2_load(p)     (*(const rq_v2 *)(p))
#define v2_store(p, v) (*(rq_v2 *)(p) = (v))
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target)
#define RQ_AVX2 1
typedef double rq_v4 __attribute__((vector_size(32), aligned(8), may_alias));
#define v4_load(p)     (*(const rq_v4 *)(p))
#define v4_store(p, v) (*(rq_v4 *)(p) = (v))
typedef long long rq_v4l __attribute__((vector_size(32), aligned(8), may_alias));
#endif
#endif
#endif

#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void rows_dot_avx2(const double *restrict x, size_t m, int p,
                                                          const double *restrict u,
                                                          double *restrict out);
#endif

/* out[i] = x_i' u for m rows of x (row-major, p columns). Four rows at a
 * time so that four independent sums are in flight: the plain dot product is
 * bound by the latency of one chain of additions; with AVX2, four columns at
 * a time (the sums are then in another order). */
void rq_rows_dot(const double *restrict x, size_t m, int p, const double *restrict u,
                 double *restrict out)
{
#ifdef RQ_AVX2
    if (p >= 8 && rq_have_avx2()) {
        rows_dot_avx2(x, m, p, u, out);
        return;
    }
#endif
    size_t i = 0, sp = (size_t)p;
    for (; i + 4 <= m; i += 4) {
        const double *a = x + i * sp, *b = a + sp, *c = b + sp, *d = c + sp;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int j = 0; j < p; j++) {
            double uj = u[j];
            s0 += a[j] * uj;
            s1 += b[j] * uj;
            s2 += c[j] * uj;
            s3 += d[j] * uj;
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
    }
    for (; i < m; i++)
        out[i] = dotp(x + i * sp, u, p);
}

/* Column-major kernels: out[i] = x_i' u for m rows stored by columns
 * (x[j*ld + i]), many rows at a time in vector registers (GNU C vector
 * extensions: SSE2 on plain x86-64, NEON on arm64), and with 256-bit AVX
 * registers when the CPU has AVX2 (chosen at run time; no FMA). Each row's sum
 * runs over j in order with every product and sum rounded, as in dotp, so
 * every version gives the same result to the last bit. */

static void cols_dot_tail(const double *restrict x, size_t ld, size_t i, size_t m, int p,
                          const double *restrict u, double *restrict out)
{
    for (; i < m; i++) {
        double s = 0.0;
        for (int j = 0; j < p; j++)
            s += x[(size_t)j * ld + i] * u[j];
        out[i] = s;
    }
}

static void cols_dot2_tail(const double *restrict x, size_t ld, size_t i, size_t m, int p,
                           const double *restrict u1, const double *restrict u2,
                           double *restrict out1, double *restrict out2)
{
    for (; i < m; i++) {
        double s1 = 0.0, s2 = 0.0;
        for (int j = 0; j < p; j++) {
            s1 += x[(size_t)j * ld + i] * u1[j];
            s2 += x[(size_t)j * ld + i] * u2[j];
        }
        out1[i] = s1;
        out2[i] = s2;
    }
}

#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void cols_dot_avx2(const double *restrict x, size_t ld,
                                                          size_t m, int p, const double *restrict u,
                                                          double *restrict out)
{
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v4 b = {u[j], u[j], u[j], u[j]};
            a0 += v4_load(c) * b;
            a1 += v4_load(c + 4) * b;
            a2 += v4_load(c + 8) * b;
            a3 += v4_load(c + 12) * b;
        }
        v4_store(out + i, a0);
        v4_store(out + i + 4, a1);
        v4_store(out + i + 8, a2);
        v4_store(out + i + 12, a3);
    }
    for (; i + 4 <= m; i += 4) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0};
        for (int j = 0; j < p; j++) {
            rq_v4 b = {u[j], u[j], u[j], u[j]};
            a0 += v4_load(x + (size_t)j * ld + i) * b;
        }
        v4_store(out + i, a0);
    }
    cols_dot_tail(x, ld, i, m, p, u, out);
}

__attribute__((target("avx2"))) static void
cols_dot2_avx2(const double *restrict x, size_t ld, size_t m, int p, const double *restrict u1,
               const double *restrict u2, double *restrict out1, double *restrict out2)
{
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        rq_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, b0 = a0, b1 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v4 v1 = {u1[j], u1[j], u1[j], u1[j]}, v2 = {u2[j], u2[j], u2[j], u2[j]};
            rq_v4 c0 = v4_load(c), c1 = v4_load(c + 4);
            a0 += c0 * v1;
            a1 += c1 * v1;
            b0 += c0 * v2;
            b1 += c1 * v2;
        }
        v4_store(out1 + i, a0);
        v4_store(out1 + i + 4, a1);
        v4_store(out2 + i, b0);
        v4_store(out2 + i + 4, b1);
    }
    cols_dot2_tail(x, ld, i, m, p, u1, u2, out1, out2);
}

int rq_have_avx2(void)
{
    static int known = -1; /* benign race: every thread computes the same */
    if (known < 0)
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}

__attribute__((target("avx2"))) static void rows_dot_avx2(const double *restrict x, size_t m, int p,
                                                          const double *restrict u,
                                                          double *restrict out)
{
    for (size_t i = 0; i < m; i++) {
        const double *xi = x + i * (size_t)p;
        rq_v4 a = {0.0, 0.0, 0.0, 0.0};
        int j = 0;
        for (; j + 4 <= p; j += 4)
            a += v4_load(xi + j) * v4_load(u + j);
        double s = (a[0] + a[1]) + (a[2] + a[3]);
        for (; j < p; j++)
            s += xi[j] * u[j];
        out[i] = s;
    }
}
#endif

void rq_cols_dot(const double *restrict x, size_t ld, size_t m, int p, const double *restrict u,
                 double *restrict out)
{
    size_t i = 0;
#ifdef RQ_AVX2
    if (rq_have_avx2()) {
        cols_dot_avx2(x, ld, m, p, u, out);
        return;
    }
#endif
#ifdef RQ_VEC
    for (; i + 8 <= m; i += 8) {
        rq_v2 a0 = {0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v2 b = {u[j], u[j]};
            a0 += v2_load(c) * b;
            a1 += v2_load(c + 2) * b;
            a2 += v2_load(c + 4) * b;
            a3 += v2_load(c + 6) * b;
        }
        v2_store(out + i, a0);
        v2_store(out + i + 2, a1);
        v2_store(out + i + 4, a2);
        v2_store(out + i + 6, a3);
    }
#endif
    cols_dot_tail(x, ld, i, m, p, u, out);
}

/* out1 = X u1 and out2 = X u2 in one pass over the columns of X. */
void rq_cols_dot2(const double *restrict x, size_t ld, size_t m, int p, const double *restrict u1,
                  const double *restrict u2, double *restrict out1, double *restrict out2)
{
    size_t i = 0;
#ifdef RQ_AVX2
    if (rq_have_avx2()) {
        cols_dot2_avx2(x, ld, m, p, u1, u2, out1, out2);
        return;
    }
#endif
#ifdef RQ_VEC
    for (; i + 4 <= m; i += 4) {
        rq_v2 a0 = {0.0, 0.0}, a1 = a0, b0 = a0, b1 = a0;
        for (int j = 0; j < p; j++) {
            const double *c = x + (size_t)j * ld + i;
            rq_v2 v1 = {u1[j], u1[j]}, v2 = {u2[j], u2[j]};
            rq_v2 c0 = v2_load(c), c1 = v2_load(c + 2);
            a0 += c0 * v1;
            a1 += c1 * v1;
            b0 += c0 * v2;
            b1 += c1 * v2;
        }
        v2_store(out1 + i, a0);
        v2_store(out1 + i + 2, a1);
        v2_store(out2 + i, b0);
        v2_store(out2 + i + 2, b1);
    }
#endif
    cols_dot2_tail(x, ld, i, m, p, u1, u2, out1, out2);
}

/* y += f x and y -= f x, elementwise (in vector registers, four at a time
 * with AVX2; each element rounded as in the plain loop). */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void axpy_avx2(double *restrict y, double f,
                                                      const double *restrict x, size_t p)
{
    size_t r = 0;
    rq_v4 fv = {f, f, f, f};
    for (; r + 4 <= p; r += 4)
        v4_store(y + r, v4_load(y + r) + fv * v4_load(x + r));
    for (; r < p; r++)
        y[r] += f * x[r];
}

__attribute__((target("avx2"))) static void axmy_avx2(double *restrict y, double f,
                                                      const double *restrict x, size_t p)
{
    size_t r = 0;
    rq_v4 fv = {f, f, f, f};
    for (; r + 4 <= p; r += 4)
        v4_store(y + r, v4_load(y + r) - v4_load(x + r) * fv);
    for (; r < p; r++)
        y[r] -= x[r] * f;
}
#endif

void rq_axpy(double *restrict y, double f, const double *restrict x, int p)
{
    int r = 0;
#ifdef RQ_AVX2
    if (rq_have_avx2()) {
        axpy_avx2(y, f, x, (size_t)p);
        return;
    }
#endif
#ifdef RQ_VEC
    rq_v2 fv = {f, f};
    for (; r + 2 <= p; r += 2)
        v2_store(y + r, v2_load(y + r) + fv * v2_load(x + r));
#endif
    for (; r < p; r++)
        y[r] += f * x[r];
}

void rq_axmy(double *restrict y, double f, const double *restrict x, size_t p)
{
    size_t r = 0;
#ifdef RQ_AVX2
    if (rq_have_avx2()) {
        axmy_avx2(y, f, x, p);
        return;
    }
#endif
#ifdef RQ_VEC
    rq_v2 fv = {f, f};
    for (; r + 2 <= p; r += 2)
        v2_store(y + r, v2_load(y + r) - v2_load(x + r) * fv);
#endif
    for (; r < p; r++)
        y[r] -= x[r] * f;
}

/* Columns l != j of the p x p column-major B: col_l -= f[l] col_j, with col_j
 * copied out first (cj); one call per matrix and pivot, vectorised. */
#ifdef RQ_AVX2
__attribute__((target("avx2"))) static void
rank1_avx2(double *restrict B, const double *restrict cj, const double *restrict f, int j, int p)
{
    for (int l = 0; l < p; l++) {
        if (l == j)
            continue;
        double *cl = B + (size_t)l * (size_t)p;
        double fl = f[l];
        rq_v4 fv = {fl, fl, fl, fl};
        int r = 0;
        for (; r + 4 <= p; r += 4) {
            rq_v4 t = v4_load(cl + r) - v4_load(cj + r) * fv;
            v4_store(cl + r, t);
        }
        for (; r < p; r++)
            cl[r] -= cj[r] * fl;
    }
}
#endif

void rq_rank1(double *restrict B, const double *restrict cj, const double *restrict f, int j, int p)
{
#ifdef RQ_AVX2
    if (rq_have_avx2()) {
        rank1_avx2(B, cj, f, j, p);
        return;
    }
#endif
    for (int l = 0; l < p; l++)
        if (l != j)
            rq_axmy(B + (size_t)l * (size_t)p, f[l], cj, (size_t)p);
}

/* q[j] = a_j' b_j for the p columns of two p x p column-major matrices, four
 * columns at a time (four independent sums, each in the order of dotp). */
void rq_col_dots(const double *restrict a, const double *restrict b, int p, double *q)
{
    int j = 0;
    size_t sp = (size_t)p;
    for (; j + 4 <= p; j += 4) {
        const double *a0 = a + (size_t)j * sp, *b0 = b + (size_t)j * sp;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int r = 0; r < p; r++) {
            s0 += a0[r] * b0[r];
            s1 += a0[sp + (size_t)r] * b0[sp + (size_t)r];
            s2 += a0[2 * sp + (size_t)r] * b0[2 * sp + (size_t)r];
            s3 += a0[3 * sp + (size_t)r] * b0[3 * sp + (size_t)r];
        }
        q[j] = s0;
        q[j + 1] = s1;
        q[j + 2] = s2;
        q[j + 3] = s3;
    }
    for (; j < p; j++)
        q[j] = dotp(a + (size_t)j * sp, b + (size_t)j * sp, p);
}
