/* Reference for `bench/stokes/run`: the solver of Stam 2003, "Real-Time Fluid Dynamics for Games"
 * (collocated N x N grid with a one-cell border, Gauss-Seidel diffusion and projection, semi-Lagrangian advection),
 * written for Talos's benchmark. Usage: stam N STEPS ITERATIONS  -> prints "N ms_per_step checksum best worst":
 * best and worst are the smallest and largest fraction of the divergence that a projection left, measured as the
 * RMS residual of its pressure equation after the sweeps over the RMS of its right-hand side (the time of that
 * measurement is not counted in the step). */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

static int n, iters;
#define AT(i, j) ((i) + (n + 2) * (j))
static double best_left = 1e30, worst_left = 0, uncounted_ms = 0;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* RMS of 4p - sum of neighbours - div (the pressure equation's residual) over the RMS of div, interior cells */
static void measure(const float *p, const float *div) {
    double t0 = now_ms(), r2 = 0, b2 = 0;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) {
            double r = div[AT(i, j)] - (4.0 * p[AT(i, j)] - p[AT(i - 1, j)] - p[AT(i + 1, j)] - p[AT(i, j - 1)] - p[AT(i, j + 1)]);
            r2 += r * r;
            b2 += (double)div[AT(i, j)] * div[AT(i, j)];
        }
    if (b2 > 0) {
        double left = sqrt(r2 / b2);
        if (left < best_left) best_left = left;
        if (left > worst_left) worst_left = left;
    }
    uncounted_ms += now_ms() - t0;
}

static void bound(int b, float *x) {
    for (int i = 1; i <= n; i++) {
        x[AT(0, i)] = b == 1 ? -x[AT(1, i)] : x[AT(1, i)];
        x[AT(n + 1, i)] = b == 1 ? -x[AT(n, i)] : x[AT(n, i)];
        x[AT(i, 0)] = b == 2 ? -x[AT(i, 1)] : x[AT(i, 1)];
        x[AT(i, n + 1)] = b == 2 ? -x[AT(i, n)] : x[AT(i, n)];
    }
    x[AT(0, 0)] = 0.5f * (x[AT(1, 0)] + x[AT(0, 1)]);
    x[AT(0, n + 1)] = 0.5f * (x[AT(1, n + 1)] + x[AT(0, n)]);
    x[AT(n + 1, 0)] = 0.5f * (x[AT(n, 0)] + x[AT(n + 1, 1)]);
    x[AT(n + 1, n + 1)] = 0.5f * (x[AT(n, n + 1)] + x[AT(n + 1, n)]);
}

/* Gauss-Seidel sweeps of x = (x0 + a * sum of neighbours) / c, in place, in lexicographic order */
static void gauss_seidel(int b, float *x, const float *x0, float a, float c) {
    for (int k = 0; k < iters; k++) {
        for (int j = 1; j <= n; j++)
            for (int i = 1; i <= n; i++)
                x[AT(i, j)] = (x0[AT(i, j)] + a * (x[AT(i - 1, j)] + x[AT(i + 1, j)] + x[AT(i, j - 1)] + x[AT(i, j + 1)])) / c;
        bound(b, x);
    }
}

static void diffuse(int b, float *x, const float *x0, float diff, float dt) {
    float a = dt * diff * n * n;
    gauss_seidel(b, x, x0, a, 1 + 4 * a);
}

static void advect(int b, float *d, const float *d0, const float *u, const float *v, float dt) {
    float dt0 = dt * n;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) {
            float x = i - dt0 * u[AT(i, j)], y = j - dt0 * v[AT(i, j)];
            if (x < 0.5f) x = 0.5f;
            if (x > n + 0.5f) x = n + 0.5f;
            if (y < 0.5f) y = 0.5f;
            if (y > n + 0.5f) y = n + 0.5f;
            int i0 = (int)x, j0 = (int)y;
            float s1 = x - i0, s0 = 1 - s1, t1 = y - j0, t0 = 1 - t1;
            d[AT(i, j)] = s0 * (t0 * d0[AT(i0, j0)] + t1 * d0[AT(i0, j0 + 1)]) + s1 * (t0 * d0[AT(i0 + 1, j0)] + t1 * d0[AT(i0 + 1, j0 + 1)]);
        }
    bound(b, d);
}

static void project(float *u, float *v, float *p, float *div) {
    float h = 1.0f / n;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) {
            div[AT(i, j)] = -0.5f * h * (u[AT(i + 1, j)] - u[AT(i - 1, j)] + v[AT(i, j + 1)] - v[AT(i, j - 1)]);
            p[AT(i, j)] = 0;
        }
    bound(0, div);
    bound(0, p);
    gauss_seidel(0, p, div, 1, 4);
    measure(p, div);
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++) {
            u[AT(i, j)] -= 0.5f * (p[AT(i + 1, j)] - p[AT(i - 1, j)]) / h;
            v[AT(i, j)] -= 0.5f * (p[AT(i, j + 1)] - p[AT(i, j - 1)]) / h;
        }
    bound(1, u);
    bound(2, v);
}

static void add_source(float *x, const float *s, float dt, int size) {
    for (int k = 0; k < size; k++) x[k] += dt * s[k];
}

#define SWAP(a, b) do { float *t_ = a; a = b; b = t_; } while (0)

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: stam N STEPS ITERATIONS\n"); return 2; }
    n = atoi(argv[1]);
    int steps = atoi(argv[2]);
    iters = atoi(argv[3]);
    int size = (n + 2) * (n + 2);
    float *u = calloc(size, 4), *v = calloc(size, 4), *u0 = calloc(size, 4), *v0 = calloc(size, 4);
    float *d = calloc(size, 4), *d0 = calloc(size, 4), *su = calloc(size, 4), *sv = calloc(size, 4), *sd = calloc(size, 4);
    const float dt = 0.1f, visc = 0.0001f, diff = 0.0001f;
    /* a density source and an upward force in the lower middle, as a demo user would paint them */
    for (int j = n * 3 / 4; j < n * 3 / 4 + n / 16 + 1; j++)
        for (int i = n / 2 - n / 16; i <= n / 2 + n / 16; i++) { sd[AT(i, j)] = 100.0f; sv[AT(i, j)] = -5.0f; su[AT(i, j)] = 0.5f; }
    struct timespec t0, t1;
    double best = 1e30;
    for (int s = 0; s < steps; s++) {
        uncounted_ms = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* vel_step */
        add_source(u, su, dt, size); add_source(v, sv, dt, size);
        SWAP(u0, u); diffuse(1, u, u0, visc, dt);
        SWAP(v0, v); diffuse(2, v, v0, visc, dt);
        project(u, v, u0, v0);
        SWAP(u0, u); SWAP(v0, v);
        advect(1, u, u0, u0, v0, dt); advect(2, v, v0, u0, v0, dt);
        project(u, v, u0, v0);
        /* dens_step */
        add_source(d, sd, dt, size);
        SWAP(d0, d); diffuse(0, d, d0, diff, dt);
        SWAP(d0, d); advect(0, d, d0, u, v, dt);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6 - uncounted_ms;
        if (s >= 2 && ms < best) best = ms;
    }
    double sum = 0;
    for (int k = 0; k < size; k++) sum += d[k];
    printf("%d %.3f %.6g %.4g %.4g\n", n, best, sum, best_left, worst_left);
    return 0;
}
