/* load.c - validated loading of a collection folder (see load.h for the
 * invariants).
 *
 * Notes on the design:
 *  - Files are read in contract order, each streamed once: a row is parsed,
 *    checked against its columns and against what is already known (this
 *    load's earlier files and the database), then written with a prepared
 *    INSERT OR REPLACE keyed by the natural key, or recorded as rejected.
 *  - What the cross-file checks need is held in memory, and nothing else:
 *    the sets of known ids (interned strings), the (teacher, school, year)
 *    assignments, and every enrollment spell (24 bytes each) with the
 *    (student, year) and (student, school, year) sets built from them.
 *  - Two files need the whole file before a row can be judged: students.csv
 *    (a record without a statewide id may match a record further down) and
 *    enrollments.csv (overlaps and grade progression are properties of a
 *    student's spells taken together). Their rows are kept compactly in
 *    memory and written after the file has been read.
 *  - Rejects, findings and history rows are written with load_id 'pending'
 *    and renamed at the end, when the digest of the whole collection (the
 *    load's id) is known; a re-load with the same id first drops what the
 *    earlier attempt recorded, so they describe what is stored now.
 *  - Output files are checked before the transaction begins; once it has
 *    committed, a failure to write them says so (res->committed). */
#include "ingest/load_internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


/* ---- one file --------------------------------------------------------- */

/* Loads students.csv or enrollments.csv (plain files: load_plain_files):
 * rows are judged on this thread, as each needs the whole file. */
static int load_file(load_ctx *c, const slds_file_def *def, const char *path, uint64_t *digest)
{
    slds_csv *csv;
    int rc = slds_csv_open(&csv, path, c->err);
    if (rc)
        return rc;
    slds_csv_set_first_line(csv, 1 + c->opt.line_offset);
    {
        struct stat fst;
        /* about 60 bytes a row in the smallest rows of the contract */
        size_t expected = stat(path, &fst) == 0 ? (size_t)fst.st_size / 60 : 0;
        if (key_set_reset(&c->file_keys, expected)) {
            slds_csv_close(csv);
            return nomem(c);
        }
    }
    header_map h = {0};
    rc = read_header(csv, path, def, &h, c->cur, c->err);
    sqlite3_stmt *insert = NULL, *insert_many = NULL;
    student_stmts ss = {0};
    bool is_students = def->kind == SLDS_FILE_STUDENTS;
    bool is_enrollments = def->kind == SLDS_FILE_ENROLLMENTS;
    const char *names[16];
    for (int i = 0; i < def->ncolumns; i++)
        names[i] = def->columns[i].name;
    /* A table empty when its file starts (a first load) is filled without
     * its secondary indexes, which are built once at the end of the file. */
    slds_buf deferred = {0};
    c->fresh_table = false;
    if (!rc) {
        const char *table = is_students ? "student_identity" : def->table;
        int held = table_has_rows(c, table);
        if (held < 0)
            rc = c->err->code;
        c->fresh_table = held == 0;
        if (!rc && c->fresh_table)
            rc = indexes_defer(c, table, &deferred);
    }
    /* --replace: the scope's stored rows, read before the file's rows are
     * written (the unchanged ones are then not written at all). */
    if (!rc && c->opt.replace_lea)
        rc = replace_scope_read(c, def);
    if (!rc && is_students) {
        static const char *const identity_cols[] = {"lea_id", "local_student_id", "student_id",
                                                    "first_name", "last_name", "birth_date",
                                                    "sex", "match_key", "id_source"};
        static const char *const student_cols[] = {"student_id", "sex"};
        rc = prepare_insert(c, "student_identity", identity_cols, 9, "lea_id, local_student_id", &ss.identity);
        if (!rc)
            rc = prepare_insert(c, "students", student_cols, 2, "student_id", &ss.student);
        if (!rc)
            rc = prepare_insert_rows(c, "student_identity", identity_cols, 9, "lea_id, local_student_id",
                                     STUDENTS_PER_STATEMENT, &ss.identity_many);
        if (!rc)
            rc = prepare_insert_rows(c, "students", student_cols, 2, "student_id", STUDENTS_PER_STATEMENT,
                                     &ss.student_many);
    } else if (!rc) {
        rc = prepare_insert(c, def->table, names, def->ncolumns, def->natural_key, &insert);
        if (!rc && c->fresh_table)
            rc = prepare_insert_rows(c, def->table, names, def->ncolumns, def->natural_key, SPELLS_PER_STATEMENT,
                                     &insert_many);
    }

    pending_student *pending = NULL;
    size_t npending = 0, cappending = 0;
    uint64_t bytes_base = c->bytes_done;
    {
        slds_csv_record rec;
        row r;
        verdict v;
        while (!rc) {
            int got = slds_csv_next(csv, &rec, c->err);
            if (got < 0) {
                rc = c->err->code;
                break;
            }
            if (got == 0)
                break;
            if (rec.nfields == 1 && rec.lengths[0] == 0)
                continue; /* a blank line carries no row */
            c->cur->read++;
            if ((c->cur->read & 0xFFFF) == 0) {
                c->bytes_done = bytes_base + slds_csv_offset(csv);
                slds_progress_report(c->progress, def->file, c->bytes_done, c->bytes_total);
            }
            verdict_clear(&v);
            if (!parse_row(def, &h, &rec, &r, &v)) {
                rc = record_verdict(c, def, rec.line, &v, NULL);
                continue;
            }
            if (is_students)
                rc = handle_student_row(c, &ss, &r, rec.line, &pending, &npending, &cappending);
            else
                rc = handle_enrollment_row(c, &r, rec.line, &v);
        }
        for (size_t i = 0; i < npending && !rc; i++)
            rc = resolve_pending_student(c, &ss, &pending[i]);
        if (!rc && is_students)
            rc = flush_students(c, &ss);
        for (size_t i = 0; i < npending; i++)
            for (int k = 0; k < 7; k++)
                free(pending[i].fields[k]);
        free(pending);
        if (!rc && is_enrollments)
            rc = finish_enrollments(c, insert, insert_many);
    }
    c->bytes_done = bytes_base + slds_csv_size(csv);
    if (!rc)
        rc = indexes_restore(c, &deferred);
    slds_buf_free(&deferred);
    if (!rc && c->opt.replace_lea)
        rc = replace_scope_delete(c, def);
    c->scope.active = false;
    if (is_enrollments)
        c->replace_pairs_ready = false; /* the district's spells may have changed */
    *digest = slds_csv_digest(csv);
    sqlite3_finalize(insert);
    sqlite3_finalize(insert_many);
    sqlite3_finalize(ss.identity);
    sqlite3_finalize(ss.student);
    sqlite3_finalize(ss.identity_many);
    sqlite3_finalize(ss.student_many);
    slds_buf_free(&ss.text);
    slds_csv_close(csv);
    return rc;
}

/* ---- the whole collection --------------------------------------------- */

/* Frees the sets of what is known (ids, identities, assignments, spells),
 * leaving them empty. */
static void sets_free(load_ctx *c)
{
    slds_intern_free(&c->leas);
    slds_intern_free(&c->schools);
    slds_intern_free(&c->staff);
    slds_intern_free(&c->programs);
    slds_intern_free(&c->standards);
    slds_intern_free(&c->students);
    slds_intern_free(&c->crosswalk);
    slds_intern_free(&c->match_keys);
    free(c->crosswalk_student);
    free(c->crosswalk_source);
    free(c->match_student);
    free(c->school_lea);
    free(c->student_lea);
    c->crosswalk_student = c->match_student = c->school_lea = c->student_lea = NULL;
    c->crosswalk_source = NULL;
    c->crosswalk_cap = c->match_cap = c->school_lea_cap = c->student_lea_cap = 0;
    slds_map64_free(&c->teacher_assignments);
    slds_map64_free(&c->enrolled_year);
    slds_map64_free(&c->enrolled_school_year);
    free(c->spells);
    c->spells = NULL;
    c->nspells = c->capspells = 0;
}

/* After a committed load: the spells become what a fresh read of the
 * database would give (the stored ones, no longer new): rejected and
 * superseded spells are dropped, the others marked as stored. */
static void spells_settle(load_ctx *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->nspells; i++) {
        spell s = c->spells[i];
        if (s.state != SPELL_ACTIVE)
            continue;
        s.line = 0;
        s.warns = 0;
        c->spells[w++] = s;
    }
    c->nspells = w;
}

/* The statements of one load. */
static void load_statements_free(load_ctx *c)
{
    sqlite3_finalize(c->reject_stmt);
    sqlite3_finalize(c->finding_stmt);
    c->reject_stmt = c->finding_stmt = NULL;
}

static int exec_bound(load_ctx *c, const char *sql, const char *a, const char *b, const char *what)
{
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st, sql, c->err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SLDS_OK : db_error(c, what);
    sqlite3_finalize(st);
    return rc;
}

/* Records the load (its id is the digest of the files' digests). What an
 * earlier load with the same id recorded (rejects, findings, counts) is
 * replaced: they describe this load, which is what is stored now. */
static int record_load(load_ctx *c, const char *dir, const uint64_t *digests)
{
    uint64_t id = 1469598103934665603ull;
    for (int i = 0; i < c->res->nfiles; i++) {
        for (const char *p = c->res->files[i].file; *p; p++)
            id = (id ^ (unsigned char)*p) * 1099511628211ull;
        for (int b = 0; b < 8; b++)
            id = (id ^ ((digests[i] >> (8 * b)) & 0xFF)) * 1099511628211ull;
    }
    const char *lid = c->res->load_id;
    snprintf(c->res->load_id, sizeof c->res->load_id, "%016llx", (unsigned long long)id);
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    int rc = exec_bound(c, "DELETE FROM rejects WHERE load_id = ?", lid, NULL, "recording rejects");
    if (!rc)
        rc = exec_bound(c, "DELETE FROM findings WHERE load_id = ?", lid, NULL, "recording findings");
    if (!rc)
        rc = exec_bound(c, "UPDATE rejects SET load_id = ? WHERE load_id = '" PENDING "'", lid, NULL,
                        "recording rejects");
    if (!rc)
        rc = exec_bound(c, "UPDATE findings SET load_id = ? WHERE load_id = '" PENDING "'", lid, NULL,
                        "recording findings");
    if (!rc)
        rc = exec_bound(c, "UPDATE row_history SET load_id = ?, changed_at = ? WHERE load_id = '" PENDING "'",
                        lid, when, "recording the change history");
    if (rc)
        return rc;
    c->res->history_rows = sqlite3_changes(c->store->db);
    sqlite3_stmt *st;
    /* The time of a load is kept when re-loading it changes none of its counts
     * (so loading the same collection twice leaves the database as once). */
    rc = slds_store_prepare(c->store, &st,
                            "INSERT INTO loads AS l(load_id, source_dir, loaded_at, rows_read,"
                            " rows_loaded, rows_rejected, rows_warned, rows_deleted)"
                            " VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(load_id) DO UPDATE SET"
                            " source_dir = excluded.source_dir, loaded_at = excluded.loaded_at,"
                            " rows_read = excluded.rows_read, rows_loaded = excluded.rows_loaded,"
                            " rows_rejected = excluded.rows_rejected, rows_warned = excluded.rows_warned,"
                            " rows_deleted = excluded.rows_deleted"
                            " WHERE l.rows_read IS NOT excluded.rows_read"
                            " OR l.rows_loaded IS NOT excluded.rows_loaded"
                            " OR l.rows_rejected IS NOT excluded.rows_rejected"
                            " OR l.rows_warned IS NOT excluded.rows_warned"
                            " OR l.rows_deleted IS NOT excluded.rows_deleted"
                            " OR excluded.rows_deleted > 0 OR ? > 0",
                            c->err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dir, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, when, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->res->read);
    sqlite3_bind_int64(st, 5, c->res->loaded);
    sqlite3_bind_int64(st, 6, c->res->rejected);
    sqlite3_bind_int64(st, 7, c->res->warned);
    sqlite3_bind_int64(st, 8, c->res->deleted);
    sqlite3_bind_int64(st, 9, c->res->history_rows);
    rc = sqlite3_step(st) == SQLITE_DONE ? SLDS_OK : db_error(c, "recording the load");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    rc = slds_store_prepare(c->store, &st,
                            "INSERT OR REPLACE INTO load_files(load_id, file, digest, rows_read,"
                            " rows_loaded, rows_rejected, rows_warned, rows_deleted)"
                            " VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                            c->err);
    for (int i = 0; i < c->res->nfiles && !rc; i++) {
        const slds_file_result *f = &c->res->files[i];
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)digests[i]);
        sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, f->file, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, f->read);
        sqlite3_bind_int64(st, 5, f->loaded);
        sqlite3_bind_int64(st, 6, f->rejected);
        sqlite3_bind_int64(st, 7, f->warned);
        sqlite3_bind_int64(st, 8, f->deleted);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(c, "recording the load");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (!rc && c->ids_changed)
        rc = slds_ident_generator_save(c->store, &c->ids, c->err);
    return rc;
}

/* Writes the load's rejects or findings as CSV; text fields are neutralized
 * (a value a spreadsheet would run as a formula gets a leading apostrophe). */
static int write_list_csv(load_ctx *c, const char *path, const char *sql, const char *header, int ncols)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return slds_fail(c->err, SLDS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    sqlite3_stmt *st;
    int rc = slds_store_prepare(c->store, &st, sql, c->err);
    if (rc) {
        fclose(out);
        return rc;
    }
    sqlite3_bind_text(st, 1, c->res->load_id, -1, SQLITE_STATIC);
    fputs(header, out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++) {
            if (i)
                fputc(',', out);
            if (i == 1)
                fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
            else
                slds_csv_write_text_field(out, (const char *)sqlite3_column_text(st, i));
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    rc = rc == SQLITE_DONE ? SLDS_OK : db_error(c, "reading rejects");
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed)
        return slds_fail(c->err, SLDS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return rc;
}

int slds_load_check_output(const char *path, slds_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return slds_fail(err, SLDS_ERR_IO, "%s: is a folder, not a file", path);
        if (access(path, W_OK) != 0)
            return slds_fail(err, SLDS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        return SLDS_OK;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write: folder %s does not exist", path, dir);
    if (access(dir, W_OK) != 0)
        return slds_fail(err, SLDS_ERR_IO, "%s: cannot write in folder %s: %s", path, dir, strerror(errno));
    return SLDS_OK;
}

/* ---- a loader kept across loads ------------------------------------------ */

struct slds_loader {
    slds_store *store;
    load_ctx ctx;         /* its sets are what the database holds when ready */
    bool ready;           /* the sets match the database as of data_version */
    int64_t data_version; /* PRAGMA data_version when the sets were last right */
};

int slds_loader_open(slds_loader **out, slds_store *s, slds_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    (*out)->store = s;
    return SLDS_OK;
}

void slds_loader_close(slds_loader *l)
{
    if (!l)
        return;
    sets_free(&l->ctx);
    key_set_free(&l->ctx.file_keys);
    stored_scope_free(&l->ctx.scope);
    load_statements_free(&l->ctx);
    free(l);
}

/* PRAGMA data_version: changes when another connection commits. */
static int data_version(load_ctx *c, int64_t *v)
{
    sqlite3_stmt *st;
    if (slds_store_prepare(c->store, &st, "PRAGMA data_version", c->err))
        return c->err->code;
    int step = sqlite3_step(st);
    *v = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? SLDS_OK : db_error(c, "reading the data version");
}

int slds_load_collection(slds_store *s, const char *dir, const slds_load_options *opt,
                         const slds_progress *progress, slds_load_result *res, slds_error *err)
{
    slds_loader *l;
    if (slds_loader_open(&l, s, err)) {
        memset(res, 0, sizeof *res);
        return err->code;
    }
    int rc = slds_loader_load(l, dir, opt, progress, res, err);
    slds_loader_close(l);
    return rc;
}

int slds_loader_load(slds_loader *l, const char *dir, const slds_load_options *opt,
                     const slds_progress *progress, slds_load_result *res, slds_error *err)
{
    double t0 = slds_now();
    memset(res, 0, sizeof *res);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return slds_fail(err, SLDS_ERR_IO, "%s: not a folder", dir);
    slds_store *s = l->store;
    load_ctx *cp = &l->ctx;
    /* What one load owns starts afresh; the sets are kept (checked below). */
    cp->store = s;
    cp->err = err;
    cp->progress = progress;
    cp->res = res;
    cp->cur = NULL;
    cp->cur_file = NULL;
    cp->bytes_done = cp->bytes_total = 0;
    cp->opt = opt ? *opt : (slds_load_options){0};
    cp->fresh_table = false;
    cp->replace_pairs_ready = false;
    cp->ids_ready = cp->ids_changed = false;
    load_ctx c = *cp; /* (copied back at the end: the sets may move) */
    slds_load_default_rules(c.sev);
    if (opt && opt->severity)
        memcpy(c.sev, opt->severity, sizeof c.sev);
    for (int i = 0; i < SLDS_RULE_COUNT; i++)
        if (slds_rules(&(int){0})[i].storage && c.sev[i] != SLDS_SEV_REJECT)
            return slds_fail(err, SLDS_ERR_USAGE, "rule %s protects storage and cannot be lowered to warn",
                             slds_rules(&(int){0})[i].id);
    if ((c.opt.rejects_path && slds_load_check_output(c.opt.rejects_path, err)) ||
        (c.opt.findings_path && slds_load_check_output(c.opt.findings_path, err)))
        return err->code;
    int nfiles;
    const slds_file_def *files = slds_contract_files(&nfiles);
    char paths[SLDS_MAX_FILES][4096];
    const slds_file_def *present[SLDS_MAX_FILES];
    for (int i = 0; i < nfiles; i++) {
        char path[4096];
        size_t dirlen = strlen(dir);
        while (dirlen > 1 && dir[dirlen - 1] == '/')
            dirlen--;
        snprintf(path, sizeof path, "%.*s/%s", (int)dirlen, dir, files[i].file);
        if (stat(path, &st) == 0) {
            present[res->nfiles] = &files[i];
            memcpy(paths[res->nfiles], path, sizeof path);
            snprintf(res->files[res->nfiles].file, sizeof res->files[0].file, "%s", files[i].file);
            res->nfiles++;
            c.bytes_total += (uint64_t)st.st_size;
        } else
            snprintf(res->missing[res->nmissing++], sizeof res->missing[0], "%s", files[i].file);
    }
    if (res->nfiles == 0)
        return slds_fail(err, SLDS_ERR_DATA, "%s: no collection files found (expected e.g. schools.csv, "
                                             "students.csv, enrollments.csv; see docs/contract.md)",
                         dir);
    int rc = slds_store_begin(s, err);
    if (rc)
        return rc;
    rc = slds_store_prepare(s, &c.reject_stmt,
                                "INSERT OR REPLACE INTO rejects(load_id, file, line, column_name, value,"
                                " reason, rule_id) VALUES('" PENDING "', ?, ?, ?, ?, ?, ?)",
                                err);
    if (!rc)
        rc = slds_store_prepare(s, &c.finding_stmt,
                                "INSERT OR REPLACE INTO findings(load_id, file, line, column_name, value,"
                                " rule_id, message, lea_id) VALUES('" PENDING "', ?, ?, ?, ?, ?, ?, ?)",
                                err);
    if (!rc)
        rc = slds_store_exec(s, "DELETE FROM rejects WHERE load_id = '" PENDING "'", err);
    if (!rc)
        rc = slds_store_exec(s, "DELETE FROM findings WHERE load_id = '" PENDING "'", err);
    /* The sets kept from this loader's last load are right unless another
     * connection has committed since (or that load failed): else read. */
    int64_t version = -1;
    bool reread = false;
    if (!rc)
        rc = data_version(&c, &version);
    if (!rc && (!l->ready || version != l->data_version)) {
        sets_free(&c);
        reread = true;
        rc = read_existing(&c);
    }
    l->ready = false; /* until this load has committed */
    if (!rc && c.opt.replace_lea)
        rc = replace_check_scope(&c);
    if (!rc)
        rc = history_begin(&c);
    /* Spells already in the database form the enrolled sets for this load's
     * later files even when it has no enrollments.csv. */
    bool has_enrollments = false;
    for (int i = 0; i < res->nfiles; i++)
        has_enrollments |= !strcmp(present[i]->file, "enrollments.csv");
    if (!rc && !has_enrollments && reread) {
        slds_file_result scratch = {0};
        c.cur = &scratch;
        rc = finish_enrollments(&c, NULL, NULL);
    }
    uint64_t digests[SLDS_MAX_FILES] = {0};
    for (int i = 0; i < res->nfiles && !rc;) {
        int next = i + 1;
        if (present[i]->kind == SLDS_FILE_STUDENTS || present[i]->kind == SLDS_FILE_ENROLLMENTS) {
            /* After enrollments.csv: the next plain files' reading thread
             * starts as soon as the spells' sets are built, while the
             * spells are written (not with --replace: one file at a time). */
            plain_group *after = NULL;
            int group_end = next;
            const char *group_paths[SLDS_MAX_FILES];
            if (present[i]->kind == SLDS_FILE_ENROLLMENTS && !c.opt.replace_lea) {
                while (group_end < res->nfiles && present[group_end]->kind != SLDS_FILE_STUDENTS &&
                       present[group_end]->kind != SLDS_FILE_ENROLLMENTS)
                    group_end++;
                for (int j = next; j < group_end; j++)
                    group_paths[j - next] = paths[j];
                if (group_end > next) {
                    struct stat est;
                    uint64_t base = c.bytes_done + (stat(paths[i], &est) == 0 ? (uint64_t)est.st_size : 0);
                    after = plain_group_start(&c, present + next, group_paths, res->files + next, group_end - next,
                                              true, base);
                    if (!after)
                        rc = nomem(&c);
                }
            }
            c.cur = &res->files[i];
            c.cur_file = present[i]->file;
            c.next_group = after;
            double file_start = slds_now();
            if (!rc)
                rc = load_file(&c, present[i], paths[i], &digests[i]);
            c.cur->seconds = slds_now() - file_start;
            c.next_group = NULL;
            if (after) {
                res->read += c.cur->read;
                res->loaded += c.cur->loaded;
                res->rejected += c.cur->rejected;
                res->warned += c.cur->warned;
                res->deleted += c.cur->deleted;
                int frc = plain_group_finish(&c, after, digests + next, rc != SLDS_OK);
                if (!rc)
                    rc = frc;
                i = next;
                next = group_end;
            }
        } else {
            /* consecutive plain files, read by one thread while this one
             * writes (one at a time with --replace: each file's scope is
             * deleted before the next file's is read) */
            const char *group_paths[SLDS_MAX_FILES];
            while (!c.opt.replace_lea && next < res->nfiles && present[next]->kind != SLDS_FILE_STUDENTS &&
                   present[next]->kind != SLDS_FILE_ENROLLMENTS)
                next++;
            for (int j = i; j < next; j++)
                group_paths[j - i] = paths[j];
            rc = load_plain_files(&c, present + i, group_paths, res->files + i, digests + i, next - i);
        }
        for (int j = i; j < next; j++) {
            res->read += res->files[j].read;
            res->loaded += res->files[j].loaded;
            res->rejected += res->files[j].rejected;
            res->warned += res->files[j].warned;
            res->deleted += res->files[j].deleted;
        }
        i = next;
    }
    if (!rc)
        rc = record_load(&c, c.opt.source_label ? c.opt.source_label : dir, digests);
    history_end(&c);
    if (!rc)
        rc = slds_store_commit(s, err);
    /* A new database built in a staging file appears at its path now, whole
     * (store.h); until then nothing was stored. */
    if (!rc)
        rc = slds_store_publish(s, err);
    if (rc)
        slds_store_rollback(s);
    else {
        res->committed = true;
        /* The sets now hold what the database holds (each was updated with
         * what this load stored), except after --replace, which deletes
         * rows the sets do not follow: read again next time. */
        spells_settle(&c);
        l->ready = !c.opt.replace_lea;
        l->data_version = version;
    }
    if (!rc && c.opt.rejects_path)
        rc = write_list_csv(&c, c.opt.rejects_path,
                            "SELECT file, line, column_name, value, rule_id, reason FROM rejects"
                            " WHERE load_id = ? ORDER BY file, line",
                            "file,line,column,value,rule,reason\n", 6);
    if (!rc && c.opt.findings_path)
        rc = write_list_csv(&c, c.opt.findings_path,
                            "SELECT file, line, column_name, value, rule_id, message, lea_id FROM findings"
                            " WHERE load_id = ? ORDER BY file, line, rule_id",
                            "file,line,column,value,rule,message,lea_id\n", 7);
    load_statements_free(&c);
    *cp = c;
    res->seconds = slds_now() - t0;
    return rc;
}
