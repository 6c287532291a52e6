/* fuzz_row.c - libFuzzer target for the contract's cell parsers and the loader
 * (src/ingest/contract.c, src/ingest/load.c).
 *
 * Input: byte 0 picks a contract file (mod the number of files); byte 1 picks
 * the header (bits 0-1: the contract's columns in order, reversed, required
 * columns only, or none - the body's first line is the header), whether the
 * loader runs (bit 2 clear), whether the valid files loaded after the chosen
 * one are present too (bit 3; those before it always are), whether the folder
 * is loaded a second time (bit 4) and the size of the reason buffer (bits
 * 5-7); the rest is the CSV body.
 *
 * 1. Every field of every record is parsed against every column of the file
 *    (slds_field_parse). A valid value must be what the column says: a date
 *    formats back to the same text and lies in the column's years, a code is
 *    the table's own string, a number is plain decimal within range, a grade
 *    is -1..12 with its canonical code, and so on; a blank is valid exactly
 *    when the column is optional; a reason written into the buffer fits it.
 * 2. The header and body are written as that file into a folder next to small
 *    valid files for the others (leas, schools, staff, students, ...) and the
 *    folder is loaded into a fresh in-memory database. On success: rows read
 *    = loaded + rejected (per file and in total), read equals the records in
 *    the file, the rejects table and rejects.csv hold one row per rejected
 *    row, no table has more rows than were loaded into it. Loaded a second
 *    time, the folder loads again with the same counts, assigns no new id and
 *    leaves every table exactly as it was (load.h, invariant 3). On failure:
 *    the error is a data error naming the file and a line, and nothing at all
 *    was written (every table empty).
 * Build and run: docs/fuzzing.md. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "ingest/contract.h"
#include "ident/ident.h"
#include "ingest/csv.h"
#include "ingest/load.h"
#include "store/store.h"

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "fuzz_row: %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* ---- 1. the cell parsers ------------------------------------------------- */

static bool only_chars(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

static void check_cell(const slds_column_def *col, const char *s, size_t len, size_t whysize)
{
    char why[512];
    memset(why, 0x7f, sizeof why);
    slds_value v;
    const char *reason = slds_field_parse(col, s, len, &v, why, whysize);
    if (reason == why)
        CHECK(memchr(why, '\0', whysize) != NULL, "%s: reason overflows its %zu bytes", col->name, whysize);
    else if (reason)
        CHECK(reason[0] != '\0', "%s: empty reason", col->name);
    if (len == 0) {
        CHECK(v.blank && v.text == NULL, "%s: blank not marked", col->name);
        CHECK((reason != NULL) == col->required, "%s: blank gives '%s' (required %d)", col->name,
              reason ? reason : "valid", col->required);
        return;
    }
    CHECK(!v.blank, "%s: non-empty value marked blank", col->name);
    if (reason)
        return;
    char copy[1100];
    if (len < sizeof copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    } else
        copy[0] = '\0';
    switch (col->type) {
    case SLDS_COL_ID:
        CHECK(len <= 64 && s[0] != ' ' && s[len - 1] != ' ', "id '%s'", copy);
        for (size_t i = 0; i < len; i++)
            CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f, "id with control byte");
        break;
    case SLDS_COL_TEXT:
        CHECK(len <= 1000, "text of %zu bytes", len);
        break;
    case SLDS_COL_CODE: {
        bool found = false;
        for (int i = 0; col->codes[i]; i++)
            found |= v.text == col->codes[i];
        CHECK(found, "%s: code text is not the table's", col->name);
        CHECK(v.len == len && strlen(v.text) == len && !memcmp(v.text, s, len), "%s: code '%s' for '%s'",
              col->name, v.text, copy);
        break;
    }
    case SLDS_COL_SUBJECT:
        CHECK(len <= 32 && s[0] >= 'A' && s[0] <= 'Z' &&
                  only_chars(s, len, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
              "subject '%s'", copy);
        break;
    case SLDS_COL_INT:
    case SLDS_COL_YEAR:
        CHECK(only_chars(s, len, "+-0123456789"), "whole number '%s'", copy);
        CHECK(v.i == strtoll(copy, NULL, 10), "'%s' parsed as %lld", copy, (long long)v.i);
        if (col->type == SLDS_COL_INT)
            CHECK(v.i >= col->min && v.i <= col->max, "%s: %lld out of range", col->name, (long long)v.i);
        else
            CHECK(v.i >= 1990 && v.i <= 2100, "year %lld", (long long)v.i);
        break;
    case SLDS_COL_NUM:
        CHECK(only_chars(s, len, "+-.0123456789"), "number '%s'", copy);
        CHECK(isfinite(v.d) && v.d >= col->min && v.d <= col->max, "%s: %g out of range", col->name, v.d);
        CHECK(v.d == strtod(copy, NULL), "'%s' parsed as %.17g", copy, v.d);
        break;
    case SLDS_COL_DATE: {
        char back[11];
        slds_date_format(v.i, back);
        CHECK(len == 10 && !memcmp(back, s, 10), "date '%s' formats back as %s", copy, back);
        int year = atoi(back);
        CHECK(year >= col->min && year <= col->max, "%s: year %d", col->name, year);
        int64_t again;
        CHECK(slds_date_parse(back, 10, &again) && again == v.i, "date '%s' does not re-parse", back);
        break;
    }
    case SLDS_COL_DATETIME: {
        int64_t day;
        CHECK(len >= 16 && slds_date_parse(s, 10, &day), "date-time '%s'", copy);
        break;
    }
    case SLDS_COL_YN:
        CHECK(len == 1 && (s[0] == 'Y' || s[0] == 'N') && v.i == (s[0] == 'Y'), "Y/N '%s'", copy);
        break;
    case SLDS_COL_GRADE:
        CHECK(v.i >= -1 && v.i <= 12 && v.len == 2 && !strcmp(v.text, slds_grade_code((int)v.i)),
              "grade '%s' -> %lld", copy, (long long)v.i);
        break;
    }
}

/* ---- 2. the loader ------------------------------------------------------------ */

/* Small valid files for the ids the body may refer to (the same ids as the
 * golden collection tests/data/tiny, so seeds from it find them). */
static const struct {
    const char *file, *text;
} fixed[] = {
    {"prep_programs.csv", "prep_program_id,name,provider,route\nP1,State U,IHE,TRADITIONAL\n"},
    {"leas.csv", "lea_id,lea_name,children_in_poverty,children_served,title1_allocation\n"
                 "L1,North District,120,900,350000.50\nL2,South District,40,300,\n"},
    {"schools.csv", "school_id,lea_id,school_name,school_level,title1,title1_status,charter\n"
                    "S1,L1,North Elementary,ELEMENTARY,Y,NONE,N\nS2,L1,North Middle,MIDDLE,N,NONE,N\n"
                    "S3,L2,South Elementary,ELEMENTARY,Y,IMPROVEMENT,N\n"},
    {"staff.csv", "staff_id,lea_id,first_name,last_name,prep_program_id,certification_route,"
                  "years_experience,tenured\nT1,L1,Joan,Park,P1,TRADITIONAL,7,Y\n"},
    {"staff_assignments.csv", "staff_id,school_id,school_year,role,subject_area,fte\n"
                              "T1,S1,2023,TEACHER,MATH,1\n"},
    {"students.csv", "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n"
                     "L1,100,Ana,Lopez,2013-04-02,F,1000000001\nL1,101,Ben,Okafor,2013-09-15,M,1000000002\n"
                     "L2,7,Ana,Lopez,2013-04-02,F,\n"},
    {"enrollments.csv", "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code\n"
                        "1000000001,S1,2023,04,2022-08-22,2023-06-09,PROMOTED\n"
                        "1000000002,S1,2023,04,2022-08-22,,\n"},
    {"standards.csv", "standard_id,subject,grade_level,description,prerequisite_ids\n"
                      "M4.1,MATH,04,Fractions,\n"},
};
#define NFIXED ((int)(sizeof fixed / sizeof fixed[0]))

static char dir[64];

static void write_file(const char *name, const char *data, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    CHECK(fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

static void remove_file(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void cleanup(void)
{
    for (int i = 0; i < NFIXED; i++)
        remove_file(fixed[i].file);
    remove_file("rejects.csv");
    rmdir(dir);
}

static bool present[NFIXED]; /* which fixed files are in the folder now */

/* Puts in the folder the fixed files loaded before def (or all of them when
 * later is true), except def itself, and takes the others away. */
static void place_fixed(const slds_file_def *def, bool later)
{
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    int mine = (int)(def - files);
    for (int i = 0; i < NFIXED; i++) {
        const slds_file_def *f = slds_contract_find(fixed[i].file);
        CHECK(f != NULL, "%s is not a contract file", fixed[i].file);
        bool want = f != def && (later || f - files < mine);
        if (want && !present[i])
            write_file(fixed[i].file, fixed[i].text, strlen(fixed[i].text));
        else if (!want && present[i])
            remove_file(fixed[i].file);
        present[i] = want;
    }
}

static int64_t count_rows(slds_store *s, const char *sql)
{
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(s->db));
    CHECK(sqlite3_step(st) == SQLITE_ROW, "%s", sql);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A digest of every row of every table, in primary-key order. */
static uint64_t db_digest(slds_store *s)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(p, n)                                                                                 \
    do {                                                                                          \
        const unsigned char *q_ = (const unsigned char *)(p);                                     \
        for (size_t k_ = 0; k_ < (size_t)(n); k_++)                                               \
            h = (h ^ q_[k_]) * 1099511628211ull;                                                  \
        h = (h ^ 0xff) * 1099511628211ull;                                                        \
    } while (0)
    sqlite3_stmt *tables;
    CHECK(sqlite3_prepare_v2(s->db,
                             "SELECT name FROM sqlite_master WHERE type = 'table'"
                             " AND name NOT LIKE 'sqlite_%' ORDER BY name",
                             -1, &tables, NULL) == SQLITE_OK,
          "listing tables");
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        MIX(name, strlen(name));
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", name);
        sqlite3_stmt *st;
        CHECK(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sql);
        int ncols = sqlite3_column_count(st);
        sqlite3_finalize(st);
        size_t w = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1", name);
        for (int c = 2; c <= ncols && w < sizeof sql; c++)
            w += (size_t)snprintf(sql + w, sizeof sql - w, ", %d", c);
        CHECK(w < sizeof sql && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sql);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < ncols; c++) {
                int type = sqlite3_column_type(st, c);
                const unsigned char *v = sqlite3_column_text(st, c);
                MIX(&type, sizeof type);
                if (v)
                    MIX(v, sqlite3_column_bytes(st, c));
            }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
#undef MIX
    return h;
}

/* Records in a file after its header, blank lines aside, as the loader counts
 * them; -1 when the file has a file-level fault or no header. */
static int64_t count_records(const char *data, size_t len)
{
    slds_csv *r;
    slds_error err = {0};
    CHECK(slds_csv_open_mem(&r, "count", data, len, &err) == SLDS_OK, "open");
    slds_csv_record rec;
    int64_t n = -1;
    int rc;
    while ((rc = slds_csv_next(r, &rec, &err)) == 1)
        if (n < 0 || !(rec.nfields == 1 && rec.lengths[0] == 0))
            n++;
    slds_csv_close(r);
    return rc < 0 ? -1 : n;
}

static void check_load(const slds_file_def *def, bool later, bool twice, const char *content,
                       size_t len)
{
    place_fixed(def, later);
    write_file(def->file, content, len);
    char rejects_path[128];
    snprintf(rejects_path, sizeof rejects_path, "%s/rejects.csv", dir);
    unlink(rejects_path);
    slds_store *s;
    slds_error err = {0};
    CHECK(slds_store_open_writer(&s, ":memory:", SLDS_STORE_CREATE, &err) == SLDS_OK && slds_ident_key_ensure(s, &err) == SLDS_OK,
          "store: %s", err.message);
    slds_load_options opt = {.rejects_path = rejects_path};
    slds_load_result res;
    int rc = slds_load_collection(s, dir, &opt, NULL, &res, &err);
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    if (rc == SLDS_OK) {
        CHECK(res.read == res.loaded + res.rejected, "read %lld loaded %lld rejected %lld",
              (long long)res.read, (long long)res.loaded, (long long)res.rejected);
        const slds_file_result *mine = NULL;
        int64_t sum_read = 0;
        for (int i = 0; i < res.nfiles; i++) {
            const slds_file_result *f = &res.files[i];
            CHECK(f->read == f->loaded + f->rejected, "%s: read %lld loaded %lld rejected %lld", f->file,
                  (long long)f->read, (long long)f->loaded, (long long)f->rejected);
            CHECK(f->read >= 0 && f->loaded >= 0 && f->rejected >= 0, "%s: negative count", f->file);
            sum_read += f->read;
            if (!strcmp(f->file, def->file))
                mine = f;
        }
        CHECK(sum_read == res.read, "files read %lld, total %lld", (long long)sum_read, (long long)res.read);
        CHECK(mine != NULL, "%s missing from the result", def->file);
        int64_t records = count_records(content, len);
        CHECK(records == mine->read, "%s: %lld records in the file, %lld read", def->file,
              (long long)records, (long long)mine->read);
        CHECK(count_rows(s, "SELECT count(*) FROM rejects") == res.rejected, "rejects table has %lld, %lld rejected",
              (long long)count_rows(s, "SELECT count(*) FROM rejects"), (long long)res.rejected);
        CHECK(count_rows(s, "SELECT count(*) FROM load_files") == res.nfiles, "load_files");
        CHECK(count_rows(s, "SELECT count(*) FROM loads") == 1, "loads");
        /* rejects.csv: a header and one record per rejected row. */
        slds_csv *r;
        CHECK(slds_csv_open(&r, rejects_path, &err) == SLDS_OK, "rejects.csv: %s", err.message);
        slds_csv_record rec;
        int64_t lines = -1;
        int got;
        while ((got = slds_csv_next(r, &rec, &err)) == 1) {
            CHECK(rec.nfields == 6, "rejects.csv record with %d fields", rec.nfields);
            lines++;
        }
        CHECK(got == 0, "rejects.csv unreadable: %s", err.message);
        slds_csv_close(r);
        CHECK(lines == res.rejected, "rejects.csv has %lld rows, %lld rejected", (long long)lines,
              (long long)res.rejected);
        /* No table holds more rows than were loaded into it. */
        for (int i = 0; i < res.nfiles; i++) {
            const slds_file_def *fd = slds_contract_find(res.files[i].file);
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", fd->table);
            int64_t rows = count_rows(s, sql);
            CHECK(rows <= res.files[i].loaded, "%s: %lld rows, %lld loaded", fd->table, (long long)rows,
                  (long long)res.files[i].loaded);
        }
        if (twice) {
            uint64_t before = db_digest(s);
            slds_load_result again;
            rc = slds_load_collection(s, dir, &opt, NULL, &again, &err);
            CHECK(rc == SLDS_OK, "the second load failed: %s", err.message);
            CHECK(again.read == res.read && again.loaded == res.loaded && again.rejected == res.rejected,
                  "second load: read %lld loaded %lld rejected %lld; first: %lld %lld %lld",
                  (long long)again.read, (long long)again.loaded, (long long)again.rejected,
                  (long long)res.read, (long long)res.loaded, (long long)res.rejected);
            CHECK(again.ids_assigned == 0, "second load assigned %lld new ids", (long long)again.ids_assigned);
            CHECK(!strcmp(again.load_id, res.load_id), "load ids %s and %s", res.load_id, again.load_id);
            CHECK(db_digest(s) == before, "the second load changed the database");
        }
    } else {
        CHECK(rc == SLDS_ERR_DATA, "load failed with code %d: %s", rc, err.message);
        CHECK(strstr(err.message, def->file) != NULL, "message does not name %s: %s", def->file, err.message);
        CHECK(strstr(err.message, "line ") != NULL, "message names no line: %s", err.message);
        /* Nothing was written. */
        for (int i = 0; i < nfiles; i++) {
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", files[i].table);
            CHECK(count_rows(s, sql) == 0, "failed load left rows in %s", files[i].table);
        }
        CHECK(count_rows(s, "SELECT count(*) FROM students") == 0, "failed load left students");
        CHECK(count_rows(s, "SELECT count(*) FROM rejects") == 0, "failed load left rejects");
        CHECK(count_rows(s, "SELECT count(*) FROM loads") == 0, "failed load left loads");
        CHECK(count_rows(s, "SELECT count(*) FROM load_files") == 0, "failed load left load_files");
        /* The generator's key is made with the database; a failed load hands out no id. */
        CHECK(count_rows(s, "SELECT count(*) FROM meta WHERE key = 'id_generator' AND value LIKE '%:0'") == 1,
              "failed load moved the id generator");
    }
    slds_store_close(s);
    remove_file(def->file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A plausible value for a column, for generated seeds. */
static const char *sample_value(const slds_column_def *col)
{
    static const struct {
        const char *column, *value;
    } ids[] = {{"student_id", "1000000001"}, {"school_id", "S1"}, {"lea_id", "L1"},   {"staff_id", "T1"},
               {"prep_program_id", "P1"},    {"standard_id", "M4.1"}, {"local_student_id", "100"}};
    switch (col->type) {
    case SLDS_COL_ID:
        for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
            if (!strcmp(col->name, ids[k].column))
                return ids[k].value;
        return "X1";
    case SLDS_COL_TEXT:
        return "Sample";
    case SLDS_COL_CODE:
        return col->codes[0];
    case SLDS_COL_SUBJECT:
        return "MATH";
    case SLDS_COL_INT:
        return col->min <= 1 && col->max >= 1 ? "1" : "0";
    case SLDS_COL_NUM:
        return col->min <= 0.5 && col->max >= 0.5 ? "0.5" : "0";
    case SLDS_COL_DATE:
        return "2023-04-20";
    case SLDS_COL_DATETIME:
        return "2023-04-20T10:00:00Z";
    case SLDS_COL_YN:
        return "Y";
    case SLDS_COL_YEAR:
        return "2023";
    case SLDS_COL_GRADE:
        return "04";
    }
    return "";
}

/* With SLDS_FUZZ_SEEDS_FROM=<folder of collections> and SLDS_FUZZ_SEEDS_TO=<dir>
 * set, writes one seed per contract file found in <folder>/<collection>/ (the
 * file's index, header mode 3 with the loader on and every fixed file, then
 * the file) and exits: so
 * seeds always match this build's contract order. */
static void write_seeds(const char *from, const char *to)
{
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    DIR *d = opendir(from);
    CHECK(d != NULL, "cannot read %s", from);
    struct dirent *e;
    int written = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        for (int i = 0; i < nfiles; i++) {
            char path[4096], out[4096];
            snprintf(path, sizeof path, "%s/%s/%s", from, e->d_name, files[i].file);
            FILE *in = fopen(path, "rb");
            if (!in)
                continue;
            snprintf(out, sizeof out, "%s/%s_%s", to, e->d_name, files[i].file);
            FILE *o = fopen(out, "wb");
            CHECK(o != NULL, "cannot write %s", out);
            fputc(i, o);
            fputc(3 | 8 | 0xE0, o);
            char buf[65536];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                fwrite(buf, 1, n, o);
            fclose(in);
            CHECK(fclose(o) == 0, "cannot write %s", out);
            written++;
        }
    }
    closedir(d);
    /* One more per contract file: its header and a row of plausible values
     * (ids of the fixed files, dates in school year 2023), then the same row
     * with every optional column blank; loaded twice. */
    for (int i = 0; i < nfiles; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s/generated_%s", to, files[i].file);
        FILE *o = fopen(out, "wb");
        CHECK(o != NULL, "cannot write %s", out);
        fputc(i, o);
        fputc(0 | 8 | 16 | 0xE0, o);
        for (int blank = 0; blank < 2; blank++) {
            for (int c = 0; c < files[i].ncolumns; c++) {
                const slds_column_def *col = &files[i].columns[c];
                fprintf(o, "%s%s", c ? "," : "", blank && !col->required ? "" : sample_value(col));
            }
            fputc('\n', o);
        }
        CHECK(fclose(o) == 0, "cannot write %s", out);
        written++;
    }
    /* Two students with one identity and a third record that would match
     * both: the ambiguous-identity reject. */
    const slds_file_def *students = slds_contract_find("students.csv");
    if (students) {
        char out[4096];
        snprintf(out, sizeof out, "%s/generated_ambiguous_students.csv", to);
        FILE *o = fopen(out, "wb");
        CHECK(o != NULL, "cannot write %s", out);
        fputc((int)(students - files), o);
        fputc(3 | 8 | 16 | 0xE0, o);
        fputs("lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id\n"
              "L1,200,Kim,Lee,2012-01-01,M,1000000003\nL2,201,Kim,Lee,2012-01-01,M,1000000004\n"
              "L2,202,kim,LEE,2012-01-01,M,\n",
              o);
        CHECK(fclose(o) == 0, "cannot write %s", out);
        written++;
    }
    fprintf(stderr, "fuzz_row: wrote %d seeds to %s\n", written, to);
    exit(written > 0 ? 0 : 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (getenv("SLDS_FUZZ_SEEDS_FROM") && getenv("SLDS_FUZZ_SEEDS_TO"))
        write_seeds(getenv("SLDS_FUZZ_SEEDS_FROM"), getenv("SLDS_FUZZ_SEEDS_TO"));
    snprintf(dir, sizeof dir, "/tmp/slds_fuzz_row_XXXXXX");
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    atexit(cleanup);
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    place_fixed(&files[nfiles - 1], true);
    /* The fixed files alone load without a single rejected row. */
    slds_store *s;
    slds_error err = {0};
    slds_load_result res;
    CHECK(slds_store_open_writer(&s, ":memory:", SLDS_STORE_CREATE, &err) == SLDS_OK && slds_ident_key_ensure(s, &err) == SLDS_OK,
          "store: %s", err.message);
    CHECK(slds_load_collection(s, dir, NULL, NULL, &res, &err) == SLDS_OK, "fixed files: %s", err.message);
    CHECK(res.rejected == 0 && res.loaded == 14, "fixed files: %lld loaded, %lld rejected", (long long)res.loaded,
          (long long)res.rejected);
    slds_store_close(s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    const slds_file_def *def = &files[data[0] % nfiles];
    int header_mode = data[1] & 3;
    bool run_loader = !(data[1] & 4);
    bool later = data[1] & 8;
    bool twice = data[1] & 16;
    size_t whysize = 1 + (size_t)(data[1] >> 5) * 64;
    const char *body = (const char *)data + 2;
    size_t body_len = size - 2;

    /* 1. every field against every column */
    slds_csv *r;
    slds_error err = {0};
    CHECK(slds_csv_open_mem(&r, def->file, body, body_len, &err) == SLDS_OK, "open");
    slds_csv_record rec;
    while (slds_csv_next(r, &rec, &err) == 1)
        for (int f = 0; f < rec.nfields; f++)
            for (int c = 0; c < def->ncolumns; c++)
                check_cell(&def->columns[c], rec.fields[f], rec.lengths[f], whysize);
    slds_csv_close(r);

    /* 2. the whole loader */
    if (!run_loader)
        return 0;
    slds_buf content = {0};
    if (header_mode != 3) {
        bool first = true;
        for (int k = 0; k < def->ncolumns; k++) {
            int c = header_mode == 1 ? def->ncolumns - 1 - k : k;
            if (header_mode == 2 && !def->columns[c].required)
                continue;
            slds_buf_printf(&content, "%s%s", first ? "" : ",", def->columns[c].name);
            first = false;
        }
        slds_buf_puts(&content, "\n");
    }
    CHECK(slds_buf_append(&content, body, body_len) == SLDS_OK, "out of memory");
    check_load(def, later, twice, content.data, content.len);
    slds_buf_free(&content);
    return 0;
}
