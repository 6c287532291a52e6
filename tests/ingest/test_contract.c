/* test_contract.c - unit tests of the data contract (src/ingest/contract.c):
 * the cell parser for every column type with valid and invalid values, the
 * calendar (day numbers, parse/format round trip over two centuries), and the
 * integrity of the contract table itself (natural keys name real columns,
 * codes lists where needed, files loaded after the files they refer to).
 * Day numbers were computed by hand (2000-01-01 is day 10957: 30 years of 365
 * days plus 7 leap days) and checked against Python's datetime.date. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ingest/contract.h"

/* Columns built here so each test states the exact type, range and blank rule. */
static const char *const sex_codes[] = {"F", "M", "X", NULL};
static const slds_column_def c_id = {"id", SLDS_COL_ID, true, NULL, 0, 0, ""};
static const slds_column_def c_text = {"t", SLDS_COL_TEXT, false, NULL, 0, 0, ""};
static const slds_column_def c_code = {"sex", SLDS_COL_CODE, true, sex_codes, 0, 0, ""};
static const slds_column_def c_subject = {"s", SLDS_COL_SUBJECT, true, NULL, 0, 0, ""};
static const slds_column_def c_int = {"n", SLDS_COL_INT, false, NULL, -100, 100, ""};
static const slds_column_def c_num = {"x", SLDS_COL_NUM, false, NULL, -1e6, 1e6, ""};
static const slds_column_def c_unit = {"u", SLDS_COL_NUM, true, NULL, 0, 1, ""};
static const slds_column_def c_date = {"d", SLDS_COL_DATE, true, NULL, 1900, 2100, ""};
static const slds_column_def c_dt = {"dt", SLDS_COL_DATETIME, true, NULL, 0, 0, ""};
static const slds_column_def c_yn = {"yn", SLDS_COL_YN, false, NULL, 0, 0, ""};
static const slds_column_def c_year = {"y", SLDS_COL_YEAR, true, NULL, 0, 0, ""};
static const slds_column_def c_grade = {"g", SLDS_COL_GRADE, true, NULL, 0, 0, ""};

static char why[512];

/* Parses s with col; returns the reason (NULL when valid). */
static const char *parse(const slds_column_def *col, const char *s, slds_value *v)
{
    static slds_value scratch;
    return slds_field_parse(col, s, strlen(s), v ? v : &scratch, why, sizeof why);
}

static void expect_ok(const slds_column_def *col, const char *s)
{
    const char *reason = parse(col, s, NULL);
    if (reason)
        fail_msg("column %s: '%s' should be valid, got: %s", col->name, s, reason);
}

static void expect_bad(const slds_column_def *col, const char *s)
{
    if (!parse(col, s, NULL))
        fail_msg("column %s: '%s' should be rejected", col->name, s);
}

/* ---- field parsing ------------------------------------------------------ */

static void test_dates(void **state)
{
    (void)state;
    slds_value v;
    assert_null(parse(&c_date, "2024-02-29", &v));
    assert_int_equal(v.i, 19782);
    assert_false(v.blank);
    assert_int_equal(v.len, 10);
    assert_null(parse(&c_date, "2000-02-29", &v)); /* divisible by 400: leap */
    assert_int_equal(v.i, 11016);
    assert_null(parse(&c_date, "1970-01-01", &v));
    assert_int_equal(v.i, 0);
    assert_null(parse(&c_date, "1969-12-31", &v));
    assert_int_equal(v.i, -1);
    expect_ok(&c_date, "2023-04-30");
    expect_ok(&c_date, "2023-12-31");
    expect_ok(&c_date, "1900-01-01");
    expect_ok(&c_date, "2100-12-31");
    expect_bad(&c_date, "2023-02-29"); /* not a leap year */
    expect_bad(&c_date, "1900-02-29"); /* divisible by 100, not by 400 */
    expect_bad(&c_date, "2023-13-01");
    expect_bad(&c_date, "2023-00-10");
    expect_bad(&c_date, "2023-04-31");
    expect_bad(&c_date, "2023-04-00");
    expect_bad(&c_date, "2023-1-01");
    expect_bad(&c_date, "2023-01-1");
    expect_bad(&c_date, "23-01-01");
    expect_bad(&c_date, "2023/01/01");
    expect_bad(&c_date, "20230101");
    expect_bad(&c_date, "2023-01-01 ");
    expect_bad(&c_date, " 2023-01-01");
    expect_bad(&c_date, "2023-01-01T00:00");
    expect_bad(&c_date, "2023-0a-01");
    expect_bad(&c_date, "+023-01-01");
    assert_string_equal(parse(&c_date, "2023-13-01", NULL), "expected a calendar date YYYY-MM-DD");
    /* Real dates outside the column's year range. */
    const char *r = parse(&c_date, "1899-12-31", NULL);
    assert_non_null(r);
    assert_string_equal(r, "year out of range [1900, 2100]");
    expect_bad(&c_date, "2101-01-01");
    /* Required and blank. */
    assert_string_equal(parse(&c_date, "", &v), "required value is blank");
    assert_true(v.blank);
    assert_null(v.text);
}

static void test_datetimes(void **state)
{
    (void)state;
    expect_ok(&c_dt, "2024-03-01T08:30");
    expect_ok(&c_dt, "2024-03-01T08:30Z");
    expect_ok(&c_dt, "2024-03-01T08:30:15");
    expect_ok(&c_dt, "2024-03-01T08:30:15Z");
    expect_ok(&c_dt, "2024-03-01T08:30:15.123");
    expect_ok(&c_dt, "2024-03-01T08:30:15.5Z");
    expect_ok(&c_dt, "2024-03-01T08:30:15.123456+05:30");
    expect_ok(&c_dt, "2024-03-01T08:30-08:00");
    expect_ok(&c_dt, "2024-03-01 08:30:15-08:00"); /* a space for the T */
    expect_ok(&c_dt, "2024-03-01T23:59:60Z");      /* leap second */
    expect_ok(&c_dt, "2024-03-01T00:00+14:00");
    expect_ok(&c_dt, "2024-02-29T12:00");
    expect_bad(&c_dt, "2023-02-29T12:00"); /* the date must be real */
    expect_bad(&c_dt, "2024-03-01");       /* no time */
    expect_bad(&c_dt, "2024-03-01T");
    expect_bad(&c_dt, "2024-03-01T8:30");
    expect_bad(&c_dt, "2024-03-01T24:00");
    expect_bad(&c_dt, "2024-03-01T08:60");
    expect_bad(&c_dt, "2024-03-01T08:30:61");
    expect_bad(&c_dt, "2024-03-01T08:30:5");
    expect_bad(&c_dt, "2024-03-01T08:30:");
    expect_bad(&c_dt, "2024-03-01T08:30:15.");  /* a point without digits */
    expect_bad(&c_dt, "2024-03-01T08:30:15.Z");
    expect_bad(&c_dt, "2024-03-01T08:30:15ZZ");
    expect_bad(&c_dt, "2024-03-01T08:30:15z");
    expect_bad(&c_dt, "2024-03-01T08:30:15+0530");
    expect_bad(&c_dt, "2024-03-01T08:30:15+05");
    expect_bad(&c_dt, "2024-03-01T08:30:15+15:00");
    expect_bad(&c_dt, "2024-03-01T08:30:15+05:60");
    expect_bad(&c_dt, "2024-03-01T08:30:15 +05:30");
    expect_bad(&c_dt, "2024-03-01X08:30");
    expect_bad(&c_dt, "2024-03-01T08.30");
    assert_string_equal(parse(&c_dt, "", NULL), "required value is blank");
}

static void test_grades(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t grade;
        const char *canonical;
    } good[] = {{"PK", -1, "PK"}, {"KG", 0, "KG"}, {"1", 1, "01"},  {"01", 1, "01"},
                {"9", 9, "09"},   {"09", 9, "09"}, {"10", 10, "10"}, {"12", 12, "12"}};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        slds_value v;
        assert_null(parse(&c_grade, good[k].in, &v));
        assert_int_equal(v.i, good[k].grade);
        assert_int_equal(v.len, 2);
        assert_memory_equal(v.text, good[k].canonical, 2);
    }
    static const char *const bad[] = {"13", "0", "00", "001", "012", "pk", "kg", "K",
                                      "P",  "-1", "+1", "1 ", " 1", "1.0", "PK1", "99"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_bad(&c_grade, bad[k]);
    assert_string_equal(parse(&c_grade, "13", NULL), "expected a grade level PK, KG or 01-12");
    assert_string_equal(slds_grade_code(-1), "PK");
    assert_string_equal(slds_grade_code(0), "KG");
    assert_string_equal(slds_grade_code(7), "07");
    assert_string_equal(slds_grade_code(12), "12");
    assert_string_equal(slds_grade_code(13), "?");
    assert_string_equal(slds_grade_code(-2), "?");
}

static void test_numbers(void **state)
{
    (void)state;
    slds_value v;
    assert_null(parse(&c_num, "12", &v));
    assert_float_equal(v.d, 12.0, 0);
    assert_null(parse(&c_num, "-3.5", &v));
    assert_float_equal(v.d, -3.5, 0);
    assert_null(parse(&c_num, "+4", &v));
    assert_float_equal(v.d, 4.0, 0);
    assert_null(parse(&c_num, ".5", &v));
    assert_float_equal(v.d, 0.5, 0);
    assert_null(parse(&c_num, "5.", &v));
    assert_float_equal(v.d, 5.0, 0);
    assert_null(parse(&c_num, "350000.50", &v));
    assert_float_equal(v.d, 350000.5, 0);
    assert_null(parse(&c_num, "-0", &v));
    assert_float_equal(v.d, 0.0, 0);
    assert_null(parse(&c_num, "1000000", &v)); /* the range is inclusive */
    /* Plain decimal notation only. */
    static const char *const bad[] = {"1e5", "1E5", " 12", "12 ", "1,5", "0x10", "inf", "nan",
                                      "NaN", ".",   "-",   "+",   "--1", "1.2.3", "1..2", "12a"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_bad(&c_num, bad[k]);
    assert_string_equal(parse(&c_num, "1e5", NULL), "expected a number (e.g. 12 or 12.5)");
    /* 40 characters are fine, 41 are not. */
    char digits[48];
    memset(digits, '1', 41);
    digits[0] = '0';
    digits[1] = '.';
    digits[40] = '\0';
    expect_ok(&c_num, digits);
    digits[40] = '1';
    digits[41] = '\0';
    expect_bad(&c_num, digits);
    /* Range, with the reason naming it. */
    assert_string_equal(parse(&c_num, "1000000.01", NULL), "out of range [-1e+06, 1e+06]");
    assert_string_equal(parse(&c_unit, "1.0001", NULL), "out of range [0, 1]");
    assert_string_equal(parse(&c_unit, "-0.5", NULL), "out of range [0, 1]");
    expect_ok(&c_unit, "0");
    expect_ok(&c_unit, "1.000");
    /* Blank: fine when optional, a reason when required. */
    assert_null(parse(&c_num, "", &v));
    assert_true(v.blank);
    assert_null(v.text);
    assert_string_equal(parse(&c_unit, "", &v), "required value is blank");
    assert_true(v.blank);
}

static void test_integers_and_years(void **state)
{
    (void)state;
    slds_value v;
    assert_null(parse(&c_int, "42", &v));
    assert_int_equal(v.i, 42);
    assert_null(parse(&c_int, "-7", &v));
    assert_int_equal(v.i, -7);
    assert_null(parse(&c_int, "+100", &v));
    assert_int_equal(v.i, 100);
    assert_null(parse(&c_int, "007", &v));
    assert_int_equal(v.i, 7);
    static const char *const bad[] = {"4.0", "1e2", " 1", "1 ", "-", "+", "0x1", "1_000", "12a"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_bad(&c_int, bad[k]);
    assert_string_equal(parse(&c_int, "101", NULL), "out of range [-100, 100]");
    assert_string_equal(parse(&c_int, "-101", NULL), "out of range [-100, 100]");
    assert_string_equal(parse(&c_int, "9999999999999999", NULL), "expected a whole number");
    assert_null(parse(&c_int, "", &v));
    assert_true(v.blank);

    assert_null(parse(&c_year, "2023", &v));
    assert_int_equal(v.i, 2023);
    expect_ok(&c_year, "1990");
    expect_ok(&c_year, "2100");
    expect_bad(&c_year, "1989");
    expect_bad(&c_year, "2101");
    expect_bad(&c_year, "23");
    expect_bad(&c_year, "2023.0");
    expect_bad(&c_year, "2022-23");
    assert_string_equal(parse(&c_year, "", NULL), "required value is blank");
}

static void test_yes_no(void **state)
{
    (void)state;
    slds_value v;
    assert_null(parse(&c_yn, "Y", &v));
    assert_int_equal(v.i, 1);
    assert_null(parse(&c_yn, "N", &v));
    assert_int_equal(v.i, 0);
    static const char *const bad[] = {"y", "n", "Yes", "NO", "1", "0", "T", " Y", "YY"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_bad(&c_yn, bad[k]);
    assert_string_equal(parse(&c_yn, "yes", NULL), "expected Y or N");
    assert_null(parse(&c_yn, "", &v)); /* optional */
    assert_true(v.blank);
}

static void test_codes(void **state)
{
    (void)state;
    slds_value v;
    char in[2] = "M";
    assert_null(slds_field_parse(&c_code, in, 1, &v, why, sizeof why));
    assert_ptr_equal(v.text, sex_codes[1]); /* canonical text is the table's, not the input */
    assert_int_equal(v.len, 1);
    const char *r = parse(&c_code, "f", NULL);
    assert_ptr_equal(r, why);
    assert_string_equal(r, "unknown code; expected one of F, M, X");
    expect_bad(&c_code, "FM");
    expect_bad(&c_code, "F ");
    expect_bad(&c_code, "");
    assert_string_equal(parse(&c_code, "", NULL), "required value is blank");
    /* A small buffer truncates the reason but never overflows it. */
    char small[20];
    memset(small, '#', sizeof small);
    r = slds_field_parse(&c_code, "Q", 1, &v, small, sizeof small);
    assert_ptr_equal(r, small);
    assert_string_equal(small, "unknown code; expec");
    /* A real contract column: the reason lists all of its codes. */
    const slds_file_def *schools = slds_contract_find("schools.csv");
    assert_non_null(schools);
    const slds_column_def *level = &schools->columns[slds_contract_column(schools, "school_level")];
    assert_string_equal(slds_field_parse(level, "PRIMARY", 7, &v, why, sizeof why),
                        "unknown code; expected one of ELEMENTARY, MIDDLE, HIGH, OTHER");
    assert_null(slds_field_parse(level, "HIGH", 4, &v, why, sizeof why));
    assert_string_equal(v.text, "HIGH");
}

static void test_ids_text_subjects(void **state)
{
    (void)state;
    char s[1100];
    slds_value v;
    assert_null(parse(&c_id, "S1", &v));
    assert_int_equal(v.len, 2);
    assert_memory_equal(v.text, "S1", 2);
    expect_ok(&c_id, "S 1");           /* inner spaces are allowed */
    expect_ok(&c_id, "\xC3\x89" "cole-7"); /* non-ASCII bytes are allowed */
    expect_bad(&c_id, " S1");
    expect_bad(&c_id, "S1 ");
    expect_bad(&c_id, "S\t1");
    expect_bad(&c_id, "S1\x7F");
    assert_string_equal(parse(&c_id, "S1 ", NULL), "identifier with leading or trailing spaces");
    assert_string_equal(parse(&c_id, "S\n1", NULL), "identifier with a control character");
    memset(s, 'a', 64);
    s[64] = '\0';
    expect_ok(&c_id, s);
    s[64] = 'a';
    s[65] = '\0';
    assert_string_equal(parse(&c_id, s, NULL), "identifier longer than 64 characters");
    assert_string_equal(parse(&c_id, "", NULL), "required value is blank");

    memset(s, 't', 1000);
    s[1000] = '\0';
    expect_ok(&c_text, s);
    s[1000] = 't';
    s[1001] = '\0';
    assert_string_equal(parse(&c_text, s, NULL), "text longer than 1000 bytes");
    expect_ok(&c_text, "  any text, \"quoted\" too  ");

    expect_ok(&c_subject, "MATH");
    expect_ok(&c_subject, "ELA_2");
    expect_ok(&c_subject, "X");
    expect_bad(&c_subject, "math");
    expect_bad(&c_subject, "1MATH");
    expect_bad(&c_subject, "_X");
    expect_bad(&c_subject, "MA-TH");
    expect_bad(&c_subject, "MATH ");
    memset(s, 'A', 32);
    s[32] = '\0';
    expect_ok(&c_subject, s);
    s[32] = 'A';
    s[33] = '\0';
    expect_bad(&c_subject, s);
}

/* ---- calendar ------------------------------------------------------------- */

static void test_days_from_civil_known_values(void **state)
{
    (void)state;
    assert_int_equal(slds_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(slds_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(slds_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(slds_days_from_civil(2000, 1, 1), 10957);
    assert_int_equal(slds_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(slds_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(slds_days_from_civil(2038, 1, 19), 24855); /* 2^31 seconds */
    assert_int_equal(slds_days_from_civil(2100, 3, 1), 47541);
    assert_int_equal(slds_days_from_civil(1600, 3, 1), -135080);
    assert_int_equal(slds_days_from_civil(1, 1, 1), -719162);
    char out[11];
    slds_date_format(0, out);
    assert_string_equal(out, "1970-01-01");
    slds_date_format(11017, out);
    assert_string_equal(out, "2000-03-01");
    slds_date_format(-25567, out);
    assert_string_equal(out, "1900-01-01");
    slds_date_format(19591, out);
    assert_string_equal(out, "2023-08-22");
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return d[m - 1] + (m == 2 && is_leap(y));
}

/* Walks the calendar day by day from 1800-01-01 to 2199-12-31 with its own
 * month lengths, and checks that every date's day number is one more than
 * the day before's, that format writes the date, and that parse reads it back. */
static void test_date_round_trip(void **state)
{
    (void)state;
    int64_t expected = slds_days_from_civil(1800, 1, 1);
    /* 1800-01-01 to 1970-01-01: 170 years, leap years 1804..1968 except 1800 and 1900. */
    assert_int_equal(expected, -(170 * 365 + (1968 - 1804) / 4 + 1 - 1));
    long checked = 0, leap_days = 0;
    char want[32], out[11];
    for (int y = 1800; y < 2200; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= month_days(y, m); d++) {
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                int64_t days;
                if (slds_days_from_civil(y, m, d) != expected)
                    fail_msg("%s: day %lld, expected %lld", want,
                             (long long)slds_days_from_civil(y, m, d), (long long)expected);
                slds_date_format(expected, out);
                if (strcmp(out, want))
                    fail_msg("day %lld formats as %s, expected %s", (long long)expected, out, want);
                if (!slds_date_parse(want, 10, &days) || days != expected)
                    fail_msg("%s does not parse back to %lld", want, (long long)expected);
                leap_days += m == 2 && d == 29;
                expected++;
                checked++;
            }
    /* 400 Gregorian years are 146097 days, 97 of them leap days. */
    assert_int_equal(checked, 146097);
    assert_int_equal(leap_days, 97);
    assert_int_equal(expected, slds_days_from_civil(2200, 1, 1));
    /* The day after the last day of each month does not parse. */
    int64_t days;
    assert_false(slds_date_parse("2100-02-29", 10, &days));
    assert_false(slds_date_parse("2024-02-30", 10, &days));
    assert_false(slds_date_parse("2024-06-31", 10, &days));
    assert_false(slds_date_parse("2024-12-32", 10, &days));
    assert_false(slds_date_parse("2024-12-3", 9, &days));
}

/* ---- the contract table --------------------------------------------------- */

static int file_index(const char *file)
{
    int n;
    const slds_file_def *files = slds_contract_files(&n);
    for (int i = 0; i < n; i++)
        if (!strcmp(files[i].file, file))
            return i;
    fail_msg("%s is not in the contract", file);
    return -1;
}

static void test_contract_integrity(void **state)
{
    (void)state;
    int n;
    const slds_file_def *files = slds_contract_files(&n);
    assert_int_equal(n, 18);
    for (int i = 0; i < n; i++) {
        const slds_file_def *f = &files[i];
        size_t flen = strlen(f->file);
        assert_true(flen > 4 && !strcmp(f->file + flen - 4, ".csv"));
        assert_ptr_equal(slds_contract_find(f->file), f);
        assert_non_null(f->table);
        assert_non_null(f->row_doc);
        /* The loader keeps a row in arrays of 16 columns. */
        assert_true(f->ncolumns >= 1 && f->ncolumns <= 16);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(files[j].file, f->file);
            assert_string_not_equal(files[j].table, f->table);
        }
        for (int c = 0; c < f->ncolumns; c++) {
            const slds_column_def *col = &f->columns[c];
            assert_int_equal(slds_contract_column(f, col->name), c); /* names are unique */
            assert_non_null(col->doc);
            if (col->type == SLDS_COL_CODE) {
                assert_non_null(col->codes);
                assert_non_null(col->codes[0]);
            } else
                assert_null(col->codes);
            if (col->type == SLDS_COL_INT || col->type == SLDS_COL_NUM || col->type == SLDS_COL_DATE)
                assert_true(col->min <= col->max);
        }
        assert_int_equal(slds_contract_column(f, "no_such_column"), -1);
        /* Every natural key column exists, and is required unless it is
         * subject_area (stored as '' when blank, see load.c) or finance's
         * school_id (the table stores a blank as '': NOT NULL ON CONFLICT
         * REPLACE DEFAULT '', store/schema.c). */
        char key[256];
        snprintf(key, sizeof key, "%s", f->natural_key);
        int nkey = 0;
        for (char *tok = strtok(key, ", "); tok; tok = strtok(NULL, ", ")) {
            int c = slds_contract_column(f, tok);
            if (c < 0)
                fail_msg("%s: natural key column '%s' is not a column", f->file, tok);
            if (!f->columns[c].required && strcmp(tok, "subject_area") &&
                !(f->kind == SLDS_FILE_FINANCE && !strcmp(tok, "school_id")))
                fail_msg("%s: natural key column '%s' may be blank", f->file, tok);
            nkey++;
        }
        assert_true(nkey >= 1);
    }
    assert_null(slds_contract_find("nope.csv"));
    assert_null(slds_contract_find("schools"));
}

/* A file is loaded after every file it refers to: any column named like
 * another file's one-column natural key (lea_id, school_id, staff_id,
 * prep_program_id, standard_id) refers to that file; student_id refers to
 * students.csv; and the checks against enrollments and assignments need
 * those loaded first. */
static void test_contract_load_order(void **state)
{
    (void)state;
    int n;
    const slds_file_def *files = slds_contract_files(&n);
    int refs = 0;
    for (int g = 0; g < n; g++) {
        if (strchr(files[g].natural_key, ','))
            continue;
        for (int f = 0; f < n; f++)
            if (f != g && slds_contract_column(&files[f], files[g].natural_key) >= 0) {
                if (f < g)
                    fail_msg("%s (column %s) is loaded before %s", files[f].file,
                             files[g].natural_key, files[g].file);
                refs++;
            }
    }
    assert_true(refs >= 10);
    int students = file_index("students.csv");
    for (int f = 0; f < n; f++)
        if (f != students && slds_contract_column(&files[f], "student_id") >= 0 && f < students)
            fail_msg("%s is loaded before students.csv", files[f].file);
    assert_true(file_index("leas.csv") < file_index("schools.csv"));
    assert_true(file_index("schools.csv") < file_index("enrollments.csv"));
    assert_true(file_index("students.csv") < file_index("enrollments.csv"));
    assert_true(file_index("prep_programs.csv") < file_index("staff.csv"));
    assert_true(file_index("staff.csv") < file_index("staff_assignments.csv"));
    assert_true(file_index("staff_assignments.csv") < file_index("rosters.csv"));
    assert_true(file_index("enrollments.csv") < file_index("rosters.csv"));
    assert_true(file_index("enrollments.csv") < file_index("assessments.csv"));
    assert_true(file_index("enrollments.csv") < file_index("attendance.csv"));
    assert_true(file_index("standards.csv") < file_index("item_responses.csv"));
}

/* Every named column index (SLDS_<P>_<NAME>) is the index of the column
 * with that name in its file, and each file has exactly the columns named. */
static void check_named(const char *file, const char *const *names, int n)
{
    const slds_file_def *def = slds_contract_find(file);
    assert_non_null(def);
    assert_int_equal(def->ncolumns, n);
    for (int i = 0; i < n; i++) {
        if (strcmp(def->columns[i].name, names[i]))
            fail_msg("%s: column %d is %s, its named index says %s", file, i, def->columns[i].name, names[i]);
        assert_int_equal(slds_contract_column(def, names[i]), i);
    }
}

#define NAME_OF(prefix, NAME, name) #name,
#define CHECK_NAMED(file, LIST)                                                                    \
    do {                                                                                           \
        static const char *const names[] = {LIST(NAME_OF)};                                       \
        check_named(file, names, (int)(sizeof names / sizeof names[0]));                           \
    } while (0)

static void test_named_column_indexes(void **state)
{
    (void)state;
    CHECK_NAMED("leas.csv", SLDS_LEAS_COLUMNS);
    CHECK_NAMED("schools.csv", SLDS_SCHOOLS_COLUMNS);
    CHECK_NAMED("students.csv", SLDS_STUDENTS_COLUMNS);
    CHECK_NAMED("enrollments.csv", SLDS_ENROLLMENTS_COLUMNS);
    CHECK_NAMED("student_attributes.csv", SLDS_ATTRIBUTES_COLUMNS);
    CHECK_NAMED("staff.csv", SLDS_STAFF_COLUMNS);
    CHECK_NAMED("staff_assignments.csv", SLDS_ASSIGNMENTS_COLUMNS);
    CHECK_NAMED("rosters.csv", SLDS_ROSTERS_COLUMNS);
    CHECK_NAMED("assessments.csv", SLDS_ASSESSMENTS_COLUMNS);
    CHECK_NAMED("courses.csv", SLDS_COURSES_COLUMNS);
    CHECK_NAMED("attendance.csv", SLDS_ATTENDANCE_COLUMNS);
    CHECK_NAMED("discipline.csv", SLDS_DISCIPLINE_COLUMNS);
    CHECK_NAMED("postsecondary.csv", SLDS_POSTSECONDARY_COLUMNS);
    CHECK_NAMED("observations.csv", SLDS_OBSERVATIONS_COLUMNS);
    CHECK_NAMED("prep_programs.csv", SLDS_PREP_COLUMNS);
    CHECK_NAMED("standards.csv", SLDS_STANDARDS_COLUMNS);
    CHECK_NAMED("item_responses.csv", SLDS_RESPONSES_COLUMNS);
    CHECK_NAMED("finance.csv", SLDS_FINANCE_COLUMNS);
    int n;
    slds_contract_files(&n);
    assert_int_equal(n, 18); /* a new file needs its named indexes too */
}

/* The rule table: in enum order, unique ids, storage rules reject. */
static void test_rules_table(void **state)
{
    (void)state;
    int n;
    const slds_rule_def *rules = slds_rules(&n);
    assert_int_equal(n, SLDS_RULE_COUNT);
    for (int i = 0; i < n; i++) {
        assert_int_equal(rules[i].rule, i);
        assert_ptr_equal(slds_rule_find(rules[i].id), &rules[i]);
        if (rules[i].storage)
            assert_int_equal(rules[i].severity, SLDS_SEV_REJECT);
        assert_true(strlen(rules[i].message) > 10);
    }
    assert_null(slds_rule_find("NO_SUCH_RULE"));
    assert_int_equal(slds_rule_find("ENR_EXIT_CODE_MISSING")->severity, SLDS_SEV_WARN);
    /* field checks name their rule */
    const slds_file_def *sch = slds_contract_find("schools.csv");
    slds_value v;
    char reason[256];
    slds_rule rule;
    assert_non_null(slds_field_check(&sch->columns[SLDS_SCH_SCHOOL_LEVEL], "PRIMARY", 7, &v, reason, sizeof reason, &rule));
    assert_int_equal(rule, SLDS_RULE_VALUE_CODE);
    assert_non_null(slds_field_check(&sch->columns[SLDS_SCH_SCHOOL_NAME], "a\x1b[31m", 6, &v, reason, sizeof reason, &rule));
    assert_int_equal(rule, SLDS_RULE_VALUE_CONTROL_CHAR);
    assert_non_null(slds_field_check(&sch->columns[SLDS_SCH_SCHOOL_NAME], "", 0, &v, reason, sizeof reason, &rule));
    assert_int_equal(rule, SLDS_RULE_VALUE_BLANK);
    assert_non_null(slds_field_check(&sch->columns[SLDS_SCH_TITLE1], "X", 1, &v, reason, sizeof reason, &rule));
    assert_int_equal(rule, SLDS_RULE_VALUE_TYPE);
    const slds_file_def *ros = slds_contract_find("rosters.csv");
    assert_non_null(slds_field_check(&ros->columns[SLDS_ROS_DOSAGE], "1.5", 3, &v, reason, sizeof reason, &rule));
    assert_int_equal(rule, SLDS_RULE_VALUE_RANGE);
    assert_null(slds_field_check(&sch->columns[SLDS_SCH_SCHOOL_NAME], "Caf\xc3\xa9", 5, &v, reason, sizeof reason, &rule));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_datetimes),
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_integers_and_years),
        cmocka_unit_test(test_yes_no),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_ids_text_subjects),
        cmocka_unit_test(test_days_from_civil_known_values),
        cmocka_unit_test(test_date_round_trip),
        cmocka_unit_test(test_contract_integrity),
        cmocka_unit_test(test_contract_load_order),
        cmocka_unit_test(test_named_column_indexes),
        cmocka_unit_test(test_rules_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
