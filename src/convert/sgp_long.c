/* sgp_long.c - the SGP package's LONG layout to a collection folder (see
 * convert.h and docs/convert.md for the mapping and its defaults). */
#include "convert/convert.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hash.h"
#include "ingest/csv.h"

enum { COL_VALID, COL_SUBJECT, COL_YEAR, COL_ID, COL_LAST, COL_FIRST, COL_GRADE, COL_SCORE,
       COL_LEVEL, COL_GENDER, COL_ETHNICITY, COL_FRL, COL_ELL, COL_IEP, COL_SCHOOL,
       COL_SCHOOL_NAME, COL_EMH, COL_DISTRICT, COL_DISTRICT_NAME, NCOLS };

static const char *const long_columns[NCOLS] = {
    "VALID_CASE", "CONTENT_AREA", "YEAR", "ID", "LAST_NAME", "FIRST_NAME", "GRADE", "SCALE_SCORE",
    "ACHIEVEMENT_LEVEL", "GENDER", "ETHNICITY", "FREE_REDUCED_LUNCH_STATUS", "ELL_STATUS",
    "IEP_STATUS", "SCHOOL_NUMBER", "SCHOOL_NAME", "EMH_LEVEL", "DISTRICT_NUMBER", "DISTRICT_NAME"};
static const bool long_required[NCOLS] = {[COL_SUBJECT] = true, [COL_YEAR] = true, [COL_ID] = true,
                                          [COL_GRADE] = true, [COL_SCORE] = true};

/* One LONG row, compactly. Strings are interned in the converter's tables. */
typedef struct long_record {
    uint32_t student, subject, school;
    uint16_t year;
    int8_t grade, level; /* level 1-4, 0 unknown */
    double score;        /* NaN: no score */
    uint32_t race, econ, ell, iep; /* interned contract codes ("" when unknown) */
} long_record;

/* What is kept of a school and of a student: interned strings. */
typedef struct school_info {
    uint32_t district, name, level;
} school_info;

typedef struct student_info {
    uint32_t first, last, sex;
} student_info;

/* Grows an array of elements of `size` bytes so that index `need` fits. */
static int grow_items(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need < *cap)
        return SLDS_OK;
    size_t n = *cap ? *cap : 256;
    while (n <= need)
        n *= 2;
    void *p = realloc(*arr, n * size);
    if (!p)
        return SLDS_ERR_NOMEM;
    *arr = p;
    *cap = n;
    return SLDS_OK;
}

typedef struct converter {
    slds_intern students, subjects, schools, districts, names, codes;
    school_info *school;   /* by school id */
    uint32_t *district_name; /* by district id */
    student_info *student; /* by student id */
    size_t cap_schools, cap_districts, cap_students;
    long_record *recs;
    size_t nrecs, caprecs;
    slds_map64 student_year; /* (student, year) -> first record */
    slds_error *err;
    slds_convert_result *res;
} converter;

static uint32_t intern(slds_intern *t, const char *s)
{
    return slds_intern_add(t, s, strlen(s));
}

/* "2020_2021" (the package's) or "2021": the year in which the school year ends. */
static int parse_year(const char *s)
{
    size_t n = strlen(s);
    if (n < 4)
        return -1;
    int y = atoi(s + n - 4);
    return y >= 1990 && y <= 2100 ? y : -1;
}

static const char *race_code(const char *s)
{
    static const char *const map[][2] = {
        {"Hispanic", "HISPANIC"},          {"White", "WHITE"},
        {"African American", "BLACK"},     {"Black", "BLACK"},
        {"Asian", "ASIAN"},                {"Native American", "AM_INDIAN"},
        {"American Indian", "AM_INDIAN"},  {"Pacific Islander", "PACIFIC_ISLANDER"},
        {"Multiple", "TWO_OR_MORE"},       {"Two or More", "TWO_OR_MORE"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strncmp(s, map[i][0], strlen(map[i][0])))
            return map[i][1];
    return "";
}

/* "Free Reduced Lunch: Yes" -> Y, ": No" -> N, else blank. */
static const char *yes_no(const char *s)
{
    const char *colon = strrchr(s, ':');
    const char *v = colon ? colon + 1 : s;
    while (*v == ' ')
        v++;
    if (!strcmp(v, "Yes") || !strcmp(v, "Y"))
        return "Y";
    if (!strcmp(v, "No") || !strcmp(v, "N"))
        return "N";
    return "";
}

static const char *sex_code(const char *s)
{
    if (strstr(s, "Female") || !strcmp(s, "F"))
        return "F";
    if (strstr(s, "Male") || !strcmp(s, "M"))
        return "M";
    return "X";
}

static int level_number(const char *s)
{
    static const char *const labels[] = {"Unsatisfactory", "Partially Proficient", "Proficient",
                                         "Advanced"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, labels[i]))
            return i + 1;
    return 0;
}

static const char *school_level(const char *emh)
{
    if (!strncmp(emh, "Elem", 4))
        return "ELEMENTARY";
    if (!strncmp(emh, "Mid", 3))
        return "MIDDLE";
    if (!strncmp(emh, "High", 4))
        return "HIGH";
    return "OTHER";
}

static int add_record(converter *cv, const char *const *f)
{
    long_record r = {0};
    int year = parse_year(f[COL_YEAR]);
    char *end;
    long grade = strtol(f[COL_GRADE], &end, 10);
    if (year < 0 || *end || grade < 1 || grade > 12 || !f[COL_ID][0] || !f[COL_SUBJECT][0]) {
        cv->res->skipped_rows++;
        return SLDS_OK;
    }
    r.year = (uint16_t)year;
    r.grade = (int8_t)grade;
    r.score = f[COL_SCORE][0] ? strtod(f[COL_SCORE], NULL) : NAN;
    r.level = (int8_t)level_number(f[COL_LEVEL]);
    /* A school, district or student seen for the first time records its fields. */
    uint32_t schools_before = cv->schools.count, districts_before = cv->districts.count,
             students_before = cv->students.count;
    r.student = intern(&cv->students, f[COL_ID]);
    r.subject = intern(&cv->subjects, f[COL_SUBJECT]);
    const char *district = f[COL_DISTRICT][0] ? f[COL_DISTRICT] : "0";
    const char *school = f[COL_SCHOOL][0] ? f[COL_SCHOOL] : "0";
    uint32_t d = intern(&cv->districts, district);
    r.school = intern(&cv->schools, school);
    r.race = intern(&cv->codes, race_code(f[COL_ETHNICITY]));
    r.econ = intern(&cv->codes, yes_no(f[COL_FRL]));
    r.ell = intern(&cv->codes, yes_no(f[COL_ELL]));
    r.iep = intern(&cv->codes, yes_no(f[COL_IEP]));
    if (r.student == SLDS_NO_ID || r.subject == SLDS_NO_ID || d == SLDS_NO_ID ||
        r.school == SLDS_NO_ID || r.race == SLDS_NO_ID || r.econ == SLDS_NO_ID ||
        r.ell == SLDS_NO_ID || r.iep == SLDS_NO_ID)
        return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
    if (cv->schools.count > schools_before) {
        if (grow_items((void **)&cv->school, &cv->cap_schools, r.school, sizeof *cv->school))
            return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
        cv->school[r.school] = (school_info){
            .district = d,
            .name = intern(&cv->names, f[COL_SCHOOL_NAME][0] ? f[COL_SCHOOL_NAME] : school),
            .level = intern(&cv->codes, school_level(f[COL_EMH]))};
    }
    if (cv->districts.count > districts_before) {
        if (slds_grow_u32(&cv->district_name, &cv->cap_districts, d))
            return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
        cv->district_name[d] =
            intern(&cv->names, f[COL_DISTRICT_NAME][0] ? f[COL_DISTRICT_NAME] : district);
    }
    if (cv->students.count > students_before) {
        if (grow_items((void **)&cv->student, &cv->cap_students, r.student, sizeof *cv->student))
            return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
        cv->student[r.student] = (student_info){.first = intern(&cv->names, f[COL_FIRST]),
                                                .last = intern(&cv->names, f[COL_LAST]),
                                                .sex = intern(&cv->codes, sex_code(f[COL_GENDER]))};
    }
    if (cv->nrecs == cv->caprecs) {
        size_t cap = cv->caprecs ? cv->caprecs * 2 : 4096;
        long_record *p = realloc(cv->recs, cap * sizeof *p);
        if (!p)
            return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
        cv->recs = p;
        cv->caprecs = cap;
    }
    uint64_t key = (uint64_t)r.student << 16 | r.year;
    if (!slds_map64_get(&cv->student_year, key, NULL) &&
        !slds_map64_put(&cv->student_year, key, (uint32_t)cv->nrecs))
        return slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
    cv->recs[cv->nrecs++] = r;
    return SLDS_OK;
}

/* Maps the header of a file to column indexes; missing required ones are an error. */
static int map_header(const slds_csv_record *h, const char *path, const char *const *names,
                      const bool *required, int n, int *pos, slds_error *err)
{
    for (int c = 0; c < n; c++) {
        pos[c] = -1;
        for (int f = 0; f < h->nfields; f++)
            if (!strcmp(h->fields[f], names[c]))
                pos[c] = f;
        if (pos[c] < 0 && required[c])
            return slds_fail(err, SLDS_ERR_DATA, "%s: line 1: required column '%s' is missing", path,
                             names[c]);
    }
    return SLDS_OK;
}

static int read_long(converter *cv, const char *path, const slds_progress *progress)
{
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, cv->err);
    if (rc)
        return rc;
    slds_csv_record rec;
    int got = slds_csv_next(csv, &rec, cv->err);
    int pos[NCOLS];
    if (got <= 0)
        rc = got < 0 ? cv->err->code : slds_fail(cv->err, SLDS_ERR_DATA, "%s: the file is empty", path);
    else
        rc = map_header(&rec, path, long_columns, long_required, NCOLS, pos, cv->err);
    while (!rc && (got = slds_csv_next(csv, &rec, cv->err)) > 0) {
        if (rec.nfields == 1 && rec.lengths[0] == 0)
            continue;
        cv->res->input_rows++;
        if ((cv->res->input_rows & 0x3FFF) == 0)
            slds_progress_report(progress, "reading LONG", (uint64_t)cv->res->input_rows, 0);
        const char *f[NCOLS];
        for (int c = 0; c < NCOLS; c++)
            f[c] = pos[c] >= 0 && pos[c] < rec.nfields ? rec.fields[pos[c]] : "";
        if (pos[COL_VALID] >= 0 && strcmp(f[COL_VALID], "VALID_CASE")) {
            cv->res->skipped_rows++;
            continue;
        }
        rc = add_record(cv, f);
    }
    if (!rc && got < 0)
        rc = cv->err->code;
    slds_csv_close(csv);
    return rc;
}

/* ---- writing ---------------------------------------------------------- */


typedef struct out_file {
    FILE *f;
    int index; /* in res */
} out_file;

static int open_out(converter *cv, const char *dir, const char *name, const char *header, out_file *o)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    o->f = fopen(path, "w");
    if (!o->f)
        return slds_fail(cv->err, SLDS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    fputs(header, o->f);
    fputc('\n', o->f);
    o->index = cv->res->nfiles++;
    snprintf(cv->res->file[o->index], sizeof cv->res->file[0], "%s", name);
    return SLDS_OK;
}

static int close_out(converter *cv, out_file *o)
{
    if (o->f && (ferror(o->f) | fclose(o->f)))
        return slds_fail(cv->err, SLDS_ERR_IO, "%s: write failed", cv->res->file[o->index]);
    o->f = NULL;
    return SLDS_OK;
}

#define STR(t, id) slds_intern_str(&cv->t, id)

static int write_places(converter *cv, const char *dir)
{
    out_file o;
    int rc = open_out(cv, dir, "leas.csv", "lea_id,lea_name,children_in_poverty,children_served,title1_allocation", &o);
    for (uint32_t d = 0; !rc && d < cv->districts.count; d++) {
        slds_csv_write_field(o.f, STR(districts, d));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(names, cv->district_name[d]));
        fputs(",,,\n", o.f);
        cv->res->rows[o.index]++;
    }
    if (!rc)
        rc = close_out(cv, &o);
    if (!rc)
        rc = open_out(cv, dir, "schools.csv",
                      "school_id,lea_id,school_name,school_level,title1,title1_status,charter", &o);
    for (uint32_t s = 0; !rc && s < cv->schools.count; s++) {
        slds_csv_write_field(o.f, STR(schools, s));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(districts, cv->school[s].district));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(names, cv->school[s].name));
        fprintf(o.f, ",%s,,,\n", STR(codes, cv->school[s].level));
        cv->res->rows[o.index]++;
    }
    return rc ? rc : close_out(cv, &o);
}

static int write_students(converter *cv, const char *dir)
{
    /* One district record per (student, district) seen. */
    slds_map64 seen = {0};
    out_file o;
    int rc = open_out(cv, dir, "students.csv",
                      "lea_id,local_student_id,first_name,last_name,birth_date,sex,student_id", &o);
    for (size_t i = 0; !rc && i < cv->nrecs; i++) {
        const long_record *r = &cv->recs[i];
        uint32_t d = cv->school[r->school].district;
        uint64_t key = (uint64_t)r->student << 32 | d;
        if (slds_map64_get(&seen, key, NULL))
            continue;
        if (!slds_map64_put(&seen, key, 1)) {
            rc = slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
            break;
        }
        slds_csv_write_field(o.f, STR(districts, d));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(students, r->student));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(names, cv->student[r->student].first));
        fputc(',', o.f);
        slds_csv_write_field(o.f, STR(names, cv->student[r->student].last));
        fprintf(o.f, ",,%s,", STR(codes, cv->student[r->student].sex));
        slds_csv_write_field(o.f, STR(students, r->student));
        fputc('\n', o.f);
        cv->res->rows[o.index]++;
    }
    slds_map64_free(&seen);
    return rc ? rc : close_out(cv, &o);
}

/* One enrollment spell and one attribute row per student-year, from the
 * student's first record of that year. */
static int write_years(converter *cv, const char *dir)
{
    out_file e, a;
    int rc = open_out(cv, dir, "enrollments.csv",
                      "student_id,school_id,school_year,grade_level,entry_date,exit_date,exit_code", &e);
    if (!rc)
        rc = open_out(cv, dir, "student_attributes.csv",
                      "student_id,school_year,race_ethnicity,econ_disadvantaged,disability,"
                      "english_learner,homeless,foster_care,migrant",
                      &a);
    for (size_t i = 0; !rc && i < cv->nrecs; i++) {
        const long_record *r = &cv->recs[i];
        uint32_t first;
        slds_map64_get(&cv->student_year, (uint64_t)r->student << 16 | r->year, &first);
        if (first != i)
            continue;
        const char *sid = STR(students, r->student);
        slds_csv_write_field(e.f, sid);
        fputc(',', e.f);
        slds_csv_write_field(e.f, STR(schools, r->school));
        fprintf(e.f, ",%d,%02d,%d-08-20,%d-06-05,PROMOTED\n", r->year, r->grade, r->year - 1, r->year);
        cv->res->rows[e.index]++;
        slds_csv_write_field(a.f, sid);
        fprintf(a.f, ",%d,%s,%s,%s,%s,,,\n", r->year, STR(codes, r->race), STR(codes, r->econ),
                STR(codes, r->iep), STR(codes, r->ell));
        cv->res->rows[a.index]++;
    }
    if (!rc)
        rc = close_out(cv, &e);
    if (!rc)
        rc = close_out(cv, &a);
    return rc;
}

static int write_assessments(converter *cv, const char *dir)
{
    out_file o;
    int rc = open_out(cv, dir, "assessments.csv",
                      "student_id,school_year,subject,grade_tested,test_type,test_name,test_date,"
                      "scale_score,performance_level,not_tested_reason",
                      &o);
    for (size_t i = 0; !rc && i < cv->nrecs; i++) {
        const long_record *r = &cv->recs[i];
        slds_csv_write_field(o.f, STR(students, r->student));
        fprintf(o.f, ",%d,", r->year);
        slds_csv_write_field(o.f, STR(subjects, r->subject));
        fprintf(o.f, ",%02d,STATE,STATE_ASSESSMENT,%d-04-15,", r->grade, r->year);
        if (isnan(r->score))
            fputs(",,NO_SCORE\n", o.f);
        else if (r->level)
            fprintf(o.f, "%.10g,%d,\n", r->score, r->level);
        else
            fprintf(o.f, "%.10g,,\n", r->score);
        cv->res->rows[o.index]++;
    }
    return rc ? rc : close_out(cv, &o);
}

/* ---- instructors ------------------------------------------------------- */

enum { IC_ID, IC_SUBJECT, IC_YEAR, IC_NUMBER, IC_LAST, IC_FIRST, IC_WEIGHT, INCOLS };
static const char *const instructor_columns[INCOLS] = {
    "ID", "CONTENT_AREA", "YEAR", "INSTRUCTOR_NUMBER", "INSTRUCTOR_LAST_NAME",
    "INSTRUCTOR_FIRST_NAME", "INSTRUCTOR_WEIGHT"};
static const bool instructor_required[INCOLS] = {true, true, true, true, false, false, false};

static const char *const subject_areas[] = {"ELA", "MATH", "SCIENCE", "OTHER"};

/* The staff assignment's subject area (an index into subject_areas) of a test subject. */
static uint32_t subject_area(const char *subject)
{
    if (!strcmp(subject, "READING") || !strcmp(subject, "ELA") || !strcmp(subject, "WRITING"))
        return 0;
    if (!strcmp(subject, "MATHEMATICS") || !strcmp(subject, "MATH"))
        return 1;
    if (!strcmp(subject, "SCIENCE"))
        return 2;
    return 3;
}

static int write_instructors(converter *cv, const char *path, const char *dir)
{
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, cv->err);
    if (rc)
        return rc;
    slds_intern staff = {0};
    uint32_t *staff_first = NULL, *staff_last = NULL, *staff_district = NULL;
    size_t cap1 = 0, cap2 = 0, cap3 = 0;
    slds_map64 assignments = {0};
    out_file ro, so, ao;
    rc = open_out(cv, dir, "rosters.csv",
                  "staff_id,student_id,school_id,school_year,subject,section_id,dosage", &ro);
    slds_csv_record rec;
    int pos[INCOLS];
    int got = rc ? 0 : slds_csv_next(csv, &rec, cv->err);
    if (!rc && got <= 0)
        rc = got < 0 ? cv->err->code : slds_fail(cv->err, SLDS_ERR_DATA, "%s: the file is empty", path);
    if (!rc)
        rc = map_header(&rec, path, instructor_columns, instructor_required, INCOLS, pos, cv->err);
    while (!rc && (got = slds_csv_next(csv, &rec, cv->err)) > 0) {
        const char *f[INCOLS];
        for (int c = 0; c < INCOLS; c++)
            f[c] = pos[c] >= 0 && pos[c] < rec.nfields ? rec.fields[pos[c]] : "";
        uint32_t student = slds_intern_find(&cv->students, f[IC_ID], strlen(f[IC_ID]));
        int year = parse_year(f[IC_YEAR]);
        uint32_t first;
        if (student == SLDS_NO_ID || year < 0 || !f[IC_NUMBER][0] ||
            !slds_map64_get(&cv->student_year, (uint64_t)student << 16 | (uint16_t)year, &first)) {
            cv->res->skipped_rows++;
            continue; /* a link to a student-year with no score record: no school to place it in */
        }
        const long_record *r = &cv->recs[first];
        uint32_t t = intern(&staff, f[IC_NUMBER]);
        uint32_t subj = subject_area(f[IC_SUBJECT]);
        if (t == SLDS_NO_ID || slds_grow_u32(&staff_first, &cap1, t) ||
            slds_grow_u32(&staff_last, &cap2, t) || slds_grow_u32(&staff_district, &cap3, t)) {
            rc = slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
            break;
        }
        if (t == staff.count - 1) {
            staff_first[t] = intern(&cv->names, f[IC_FIRST]);
            staff_last[t] = intern(&cv->names, f[IC_LAST]);
            staff_district[t] = cv->school[r->school].district;
        }
        /* (teacher, school, year - 1900, subject area): the key of an assignment */
        uint64_t akey = (uint64_t)t << 32 | (uint64_t)r->school << 12 |
                        (uint64_t)((year - 1900) & 0xFF) << 4 | (subj & 0xF);
        if (!slds_map64_get(&assignments, akey, NULL) && !slds_map64_put(&assignments, akey, subj)) {
            rc = slds_fail(cv->err, SLDS_ERR_NOMEM, "out of memory converting");
            break;
        }
        slds_csv_write_field(ro.f, f[IC_NUMBER]);
        fputc(',', ro.f);
        slds_csv_write_field(ro.f, f[IC_ID]);
        fputc(',', ro.f);
        slds_csv_write_field(ro.f, STR(schools, r->school));
        fprintf(ro.f, ",%d,", year);
        slds_csv_write_field(ro.f, f[IC_SUBJECT]);
        fputc(',', ro.f);
        slds_csv_write_field(ro.f, f[IC_NUMBER]);
        fputc('-', ro.f);
        slds_csv_write_field(ro.f, f[IC_SUBJECT]);
        fprintf(ro.f, ",%s\n", f[IC_WEIGHT][0] ? f[IC_WEIGHT] : "1");
        cv->res->rows[ro.index]++;
    }
    if (!rc && got < 0)
        rc = cv->err->code;
    slds_csv_close(csv);
    if (!rc)
        rc = close_out(cv, &ro);
    if (!rc)
        rc = open_out(cv, dir, "staff.csv",
                      "staff_id,lea_id,first_name,last_name,prep_program_id,certification_route,"
                      "years_experience,tenured",
                      &so);
    for (uint32_t t = 0; !rc && t < staff.count; t++) {
        slds_csv_write_field(so.f, slds_intern_str(&staff, t));
        fputc(',', so.f);
        slds_csv_write_field(so.f, STR(districts, staff_district[t]));
        fputc(',', so.f);
        slds_csv_write_field(so.f, STR(names, staff_first[t]));
        fputc(',', so.f);
        slds_csv_write_field(so.f, STR(names, staff_last[t]));
        fputs(",,,,\n", so.f);
        cv->res->rows[so.index]++;
    }
    if (!rc)
        rc = close_out(cv, &so);
    if (!rc)
        rc = open_out(cv, dir, "staff_assignments.csv",
                      "staff_id,school_id,school_year,role,subject_area,fte", &ao);
    for (uint64_t i = 0; !rc && i < assignments.nslots; i++) {
        if (!assignments.used[i])
            continue;
        uint64_t k = assignments.keys[i];
        uint32_t t = (uint32_t)(k >> 32), school = (uint32_t)(k >> 12) & 0xFFFFF;
        int year = 1900 + (int)((k >> 4) & 0xFF);
        slds_csv_write_field(ao.f, slds_intern_str(&staff, t));
        fputc(',', ao.f);
        slds_csv_write_field(ao.f, STR(schools, school));
        fprintf(ao.f, ",%d,TEACHER,%s,\n", year, subject_areas[assignments.values[i]]);
        cv->res->rows[ao.index]++;
    }
    if (!rc)
        rc = close_out(cv, &ao);
    slds_intern_free(&staff);
    slds_map64_free(&assignments);
    free(staff_first);
    free(staff_last);
    free(staff_district);
    return rc;
}

int slds_convert_sgp_long(const slds_sgp_convert_options *opt, const slds_progress *progress,
                          slds_convert_result *res, slds_error *err)
{
    memset(res, 0, sizeof *res);
    if (mkdir(opt->out_dir, 0777) != 0 && errno != EEXIST)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot create: %s", opt->out_dir, strerror(errno));
    converter cv = {.err = err, .res = res};
    int rc = read_long(&cv, opt->long_path, progress);
    if (!rc && cv.nrecs == 0)
        rc = slds_fail(err, SLDS_ERR_DATA, "%s: no usable rows", opt->long_path);
    if (!rc)
        rc = write_places(&cv, opt->out_dir);
    if (!rc)
        rc = write_students(&cv, opt->out_dir);
    if (!rc)
        rc = write_years(&cv, opt->out_dir);
    if (!rc)
        rc = write_assessments(&cv, opt->out_dir);
    if (!rc && opt->instructors_path)
        rc = write_instructors(&cv, opt->instructors_path, opt->out_dir);
    slds_intern_free(&cv.students);
    slds_intern_free(&cv.subjects);
    slds_intern_free(&cv.schools);
    slds_intern_free(&cv.districts);
    slds_intern_free(&cv.names);
    slds_intern_free(&cv.codes);
    free(cv.school);
    free(cv.district_name);
    free(cv.student);
    free(cv.recs);
    slds_map64_free(&cv.student_year);
    return rc;
}
