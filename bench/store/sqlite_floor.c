/* sqlite_floor.c - what SQLite itself costs per row, without any parsing or
 * validation: the rows of an assessments.csv are read into memory first, then
 * inserted with bound parameters in one transaction, in four ways:
 *   keyed      WITHOUT ROWID table, natural key as primary key (what slds uses)
 *   keyed-runs the same, rows sorted by key in runs of 65,536 (what slds does)
 *   append     plain rowid table, no key (what sqlite3's .import does)
 *   index-end  plain table, then CREATE UNIQUE INDEX on the key at the end
 * It prints CPU microseconds per row. These floors are why a keyed,
 * idempotent load cannot be 2x faster than .import on 2 cores (docs/load.md).
 *
 * build: cc -O2 -o sqlite_floor bench/store/sqlite_floor.c -lsqlite3
 * run:   ./sqlite_floor COLLECTION/assessments.csv */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NCOL = 10, RUN = 65536 };

typedef struct row {
    char *f[NCOL];
} row;

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Key order: student_id, school_year, subject, test_type, test_name, test_date. */
static int compare_key(const void *pa, const void *pb)
{
    static const int key[] = {0, 1, 2, 4, 5, 6};
    const row *a = pa, *b = pb;
    for (size_t k = 0; k < sizeof key / sizeof key[0]; k++) {
        int c = key[k] == 1 ? atoi(a->f[1]) - atoi(b->f[1]) : strcmp(a->f[key[k]], b->f[key[k]]);
        if (c)
            return c;
    }
    return 0;
}

static row *read_rows(const char *path, size_t *n)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return NULL;
    char line[4096];
    size_t cap = 1 << 16;
    row *rows = malloc(cap * sizeof *rows);
    if (!fgets(line, sizeof line, in)) {
        fclose(in);
        return rows;
    }
    *n = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (*n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        char *p = line;
        for (int i = 0; i < NCOL; i++) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            rows[*n].f[i] = strdup(p);
            p = comma ? comma + 1 : p + strlen(p);
        }
        (*n)++;
    }
    fclose(in);
    return rows;
}

static void run(const char *name, row *rows, size_t n, int keyed, int sort_runs, int index_at_end)
{
    remove("/tmp/sqlite_floor.db");
    remove("/tmp/sqlite_floor.db-journal");
    sqlite3 *db;
    sqlite3_open("/tmp/sqlite_floor.db", &db);
    sqlite3_exec(db, "PRAGMA cache_size=-131072; PRAGMA threads=2; BEGIN", NULL, NULL, NULL);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE a(student_id TEXT NOT NULL, school_year INTEGER NOT NULL, subject TEXT NOT NULL,"
             " grade_tested TEXT NOT NULL, test_type TEXT NOT NULL, test_name TEXT NOT NULL,"
             " test_date TEXT NOT NULL, scale_score REAL, performance_level INTEGER, not_tested_reason TEXT%s",
             keyed ? ", PRIMARY KEY(student_id, school_year, subject, test_type, test_name, test_date))"
                     " WITHOUT ROWID"
                   : ")");
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_floor: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       keyed ? "INSERT OR REPLACE INTO a VALUES(?,?,?,?,?,?,?,?,?,?)"
                             : "INSERT INTO a VALUES(?,?,?,?,?,?,?,?,?,?)",
                       -1, &st, NULL);
    if (sort_runs)
        for (size_t i = 0; i < n; i += RUN)
            qsort(rows + i, n - i < RUN ? n - i : RUN, sizeof *rows, compare_key);
    double t0 = cpu_seconds();
    for (size_t r = 0; r < n; r++) {
        for (int i = 0; i < NCOL; i++) {
            const char *v = rows[r].f[i];
            if (i == 1 || (i == 8 && *v))
                sqlite3_bind_int(st, i + 1, atoi(v));
            else if (i == 7 && *v)
                sqlite3_bind_double(st, i + 1, atof(v));
            else if (!*v)
                sqlite3_bind_null(st, i + 1);
            else
                sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC);
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "sqlite_floor: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (index_at_end)
        sqlite3_exec(db, "CREATE UNIQUE INDEX k ON a(student_id, school_year, subject, test_type,"
                         " test_name, test_date)",
                     NULL, NULL, NULL);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t1 = cpu_seconds();
    printf("%-10s %zu rows  %.2f us/row CPU\n", name, n, (t1 - t0) / (double)n * 1e6);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sqlite_floor assessments.csv\n");
        return 2;
    }
    size_t n = 0;
    row *rows = read_rows(argv[1], &n);
    if (!rows || !n) {
        fprintf(stderr, "sqlite_floor: no rows in %s\n", argv[1]);
        return 1;
    }
    run("keyed", rows, n, 1, 0, 0);
    run("append", rows, n, 0, 0, 0);
    run("index-end", rows, n, 0, 0, 1);
    run("keyed-runs", rows, n, 1, 1, 0);
    return 0;
}
