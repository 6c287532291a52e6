/* fixture.h - the small hand-built state the access tests share (included by
 * tests/access/test_access_*.c; not a test itself).
 *
 *   LEA L1: schools S1, S2        LEA L2: school S3
 *   2024: A(1001) S1 gr 04, B(1002) S1 gr 05, C(1003) S2 gr 07,
 *         D(1004) S3 gr 04, E(1005) S3 gr 04 (moved: S1 gr 03 in 2023)
 *   staff T1 (L1): teacher at S1 2023 and 2024; rosters A 2024, E 2023
 *   staff T2 (L2): teacher at S3 2024; roster D 2024
 *   staff T3 (L1): teacher at S2 2024; roster C 2024
 *   staff P1 (L1): principal at S1 2024 only
 *   identity: E has a row in L1 (Eve Old) and one in L2 (Eve New). */
#ifndef SLDS_TEST_ACCESS_FIXTURE_H
#define SLDS_TEST_ACCESS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "access/access.h"
#include "store/store.h"

static const char fixture_sql[] =
    "INSERT INTO leas(lea_id, lea_name) VALUES ('L1', 'North'), ('L2', 'South');"
    "INSERT INTO schools(school_id, lea_id, school_name, school_level) VALUES"
    " ('S1', 'L1', 'North Elementary', 'ELEMENTARY'), ('S2', 'L1', 'North Middle', 'MIDDLE'),"
    " ('S3', 'L2', 'South Elementary', 'ELEMENTARY');"
    "INSERT INTO students(student_id, sex) VALUES ('1001', 'F'), ('1002', 'M'), ('1003', 'F'),"
    " ('1004', 'M'), ('1005', 'F');"
    "INSERT INTO student_identity(lea_id, local_student_id, student_id, first_name, last_name,"
    " sex, id_source) VALUES ('L1', '1', '1001', 'Ana', 'Alba', 'F', 'LOCAL'),"
    " ('L1', '2', '1002', 'Ben', 'Bird', 'M', 'LOCAL'), ('L1', '3', '1003', 'Cy', 'Cole', 'F', "
    "'LOCAL'),"
    " ('L2', '4', '1004', 'Dee', 'Dunn', 'M', 'LOCAL'), ('L1', '5', '1005', 'Eve', 'Old', 'F', "
    "'LOCAL'),"
    " ('L2', '905', '1005', 'Eve', 'New', 'F', 'LOCAL');"
    "INSERT INTO enrollments(student_id, school_id, school_year, grade_level, entry_date) VALUES"
    " ('1001', 'S1', 2024, '04', '2023-08-21'), ('1002', 'S1', 2024, '05', '2023-08-21'),"
    " ('1003', 'S2', 2024, '07', '2023-08-21'), ('1004', 'S3', 2024, '04', '2023-08-21'),"
    " ('1005', 'S1', 2023, '03', '2022-08-22'), ('1005', 'S3', 2024, '04', '2023-08-21');"
    "INSERT INTO staff(staff_id, lea_id) VALUES ('T1', 'L1'), ('T2', 'L2'), ('T3', 'L1'), ('P1', "
    "'L1');"
    "INSERT INTO staff_assignments(staff_id, school_id, school_year, role, subject_area) VALUES"
    " ('T1', 'S1', 2023, 'TEACHER', 'MATH'), ('T1', 'S1', 2024, 'TEACHER', 'MATH'),"
    " ('T2', 'S3', 2024, 'TEACHER', 'MATH'), ('T3', 'S2', 2024, 'TEACHER', 'ELA'),"
    " ('P1', 'S1', 2024, 'PRINCIPAL', 'OTHER');"
    "INSERT INTO rosters(staff_id, student_id, school_id, school_year, subject, section_id, dosage)"
    " VALUES ('T1', '1001', 'S1', 2024, 'MATH', 'M4', 1), ('T1', '1005', 'S1', 2023, 'MATH', 'M3', "
    "1),"
    " ('T2', '1004', 'S3', 2024, 'MATH', 'M4', 1), ('T3', '1003', 'S2', 2024, 'ELA', 'E7', 1);";

/* A new database at a temporary path (written into path) holding the
 * fixture; returns the writer store, open. */
static inline slds_store *fixture_db(char *path, size_t size)
{
    snprintf(path, size, "/tmp/slds_test_access_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    unlink(path);
    slds_error err = {0};
    slds_store *w = NULL;
    if (slds_store_open_writer(&w, path, SLDS_STORE_CREATE, &err) ||
        slds_store_exec(w, fixture_sql, &err)) {
        fprintf(stderr, "fixture: %s\n", err.message);
        abort();
    }
    return w;
}

static inline void fixture_remove(const char *path)
{
    static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
    char p[600];
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, sides[i]);
        unlink(p);
    }
}

/* A principal for tests (scopes borrowed from a static array). */
static inline slds_principal fixture_who(slds_role role, const char **scopes, size_t n)
{
    slds_principal p = {0};
    p.user_id = role == SLDS_ROLE_PUBLIC ? 0 : 1;
    snprintf(p.username, sizeof p.username, "%s", slds_role_name(role));
    p.role = role;
    p.scopes = (char **)scopes;
    p.n_scopes = n;
    return p;
}

#endif
