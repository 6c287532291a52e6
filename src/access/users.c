/* users.c - roles, principals, and the users table: adding a user with an
 * Argon2id hash of the password (libsodium crypto_pwhash_str, which picks a
 * random salt and writes algorithm, cost and salt into the string it
 * returns), a new password, disabling, listing (never a hash).
 *
 * A password passes through here and into crypto_pwhash_str only: it is never
 * copied, logged, nor put in an error message. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "access/internal.h"

static const char *const role_names[SLDS_USER_ROLE_COUNT] = {
    "public",  "state-admin", "state-analyst", "district",   "principal",
    "teacher", "parent",      "student",       "researcher",
};

const char *slds_role_name(slds_role r)
{
    return (unsigned)r < SLDS_USER_ROLE_COUNT ? role_names[r] : "?";
}

int slds_role_parse(const char *name, slds_role *out)
{
    for (int r = 0; name && r < SLDS_USER_ROLE_COUNT; r++)
        if (!strcmp(name, role_names[r])) {
            *out = (slds_role)r;
            return SLDS_OK;
        }
    return SLDS_ERR_USAGE;
}

void slds_principal_clear(slds_principal *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_scopes; i++)
        free(p->scopes[i]);
    free(p->scopes);
    memset(p, 0, sizeof *p);
    p->role = SLDS_ROLE_PUBLIC;
}

static int principal_add_scope(slds_principal *p, const char *id, slds_error *err)
{
    char **grown = realloc(p->scopes, (p->n_scopes + 1) * sizeof *grown);
    if (!grown)
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    p->scopes = grown;
    if (!(p->scopes[p->n_scopes] = strdup(id)))
        return slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
    p->n_scopes++;
    return SLDS_OK;
}

int slds_principal_copy(slds_principal *dst, const slds_principal *src, slds_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->user_id = src->user_id;
    memcpy(dst->username, src->username, sizeof dst->username);
    dst->role = src->role;
    for (size_t i = 0; i < src->n_scopes; i++)
        if (principal_add_scope(dst, src->scopes[i], err)) {
            slds_principal_clear(dst);
            return SLDS_ERR_NOMEM;
        }
    return SLDS_OK;
}

slds_password_cost slds_password_cost_default(void)
{
    slds_password_cost c = {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    return c;
}

slds_password_cost slds_password_cost_min(void)
{
    slds_password_cost c = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return c;
}

/* ---- the schema and reading users ------------------------------------- */

int access_require_schema(slds_store *s, slds_error *err)
{
    int v = slds_store_schema_version(s, "access", err);
    if (v < 0)
        return err ? err->code : SLDS_ERR_DB;
    if (v == 0)
        return slds_fail(err, SLDS_ERR_DB,
                         "%s has no user tables yet: add a user with `slds user add` (or run any "
                         "command that writes) to bring it up to date",
                         s->path);
    return SLDS_OK;
}

int access_read_scopes(slds_store *s, int64_t user_id, slds_principal *who, slds_error *err)
{
    slds_cursor c;
    if (slds_cursor_open(
            &c, s, "SELECT scope_id FROM user_scopes WHERE user_id = ?1 ORDER BY scope_id", err))
        return err->code;
    slds_cursor_bind_int(&c, 1, user_id);
    int r, rc = SLDS_OK;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1)
        rc = principal_add_scope(who, slds_cursor_text(&c, 0) ? slds_cursor_text(&c, 0) : "", err);
    slds_cursor_close(&c);
    if (!rc && r < 0)
        rc = SLDS_ERR_DB;
    return rc;
}

int access_user_read(slds_store *s, const char *username, int64_t user_id, int by_id,
                     access_user *u, char *hash, size_t hash_size, slds_error *err)
{
    memset(u, 0, sizeof *u);
    slds_cursor c;
    const char *sql = by_id ? "SELECT user_id, username, role, disabled, credential_version,"
                              " password_hash FROM users WHERE user_id = ?1"
                            : "SELECT user_id, username, role, disabled, credential_version,"
                              " password_hash FROM users WHERE username = ?1";
    if (slds_cursor_open(&c, s, sql, err))
        return -1;
    if (by_id)
        slds_cursor_bind_int(&c, 1, user_id);
    else
        slds_cursor_bind_text(&c, 1, username);
    int r = slds_cursor_step(&c, err);
    if (r == 1) {
        u->user_id = slds_cursor_int(&c, 0);
        const char *name = slds_cursor_text(&c, 1);
        snprintf(u->who.username, sizeof u->who.username, "%s", name ? name : "");
        u->who.user_id = u->user_id;
        slds_role role = SLDS_ROLE_PUBLIC;
        /* an unknown role (a newer slds wrote it) gives nothing: public */
        slds_role_parse(slds_cursor_text(&c, 2), &role);
        u->who.role = role;
        u->disabled = slds_cursor_int(&c, 3) != 0;
        u->credential_version = slds_cursor_int(&c, 4);
        if (hash_size) {
            const char *h = slds_cursor_text(&c, 5);
            snprintf(hash, hash_size, "%s", h ? h : "");
        }
    }
    slds_cursor_close(&c);
    if (r == 1 && access_read_scopes(s, u->user_id, &u->who, err)) {
        slds_principal_clear(&u->who);
        return -1;
    }
    return r;
}

/* ---- checks ------------------------------------------------------------ */

static int check_username(const char *name, slds_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 63)
        return slds_fail(err, SLDS_ERR_USAGE, "a username has 1 to 63 characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '@' || ch == '-'))
            return slds_fail(err, SLDS_ERR_USAGE,
                             "username '%s': only letters, digits and . _ @ - are allowed", name);
    }
    return SLDS_OK;
}

static int check_password(const char *password, slds_error *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < SLDS_PASSWORD_MIN || n > SLDS_PASSWORD_MAX)
        return slds_fail(err, SLDS_ERR_USAGE, "a password has %d to %d bytes (this one has %zu)",
                         SLDS_PASSWORD_MIN, SLDS_PASSWORD_MAX, n);
    return SLDS_OK;
}

/* What a scope id of the role names, and where it must exist. */
static const char *scope_table(slds_role role, const char **what)
{
    switch (role) {
    case SLDS_ROLE_DISTRICT:
        *what = "lea";
        return "SELECT 1 FROM leas WHERE lea_id = ?1";
    case SLDS_ROLE_PRINCIPAL:
        *what = "school";
        return "SELECT 1 FROM schools WHERE school_id = ?1";
    case SLDS_ROLE_TEACHER:
        *what = "staff";
        return "SELECT 1 FROM staff WHERE staff_id = ?1";
    case SLDS_ROLE_PARENT:
    case SLDS_ROLE_STUDENT:
        *what = "student";
        return "SELECT 1 FROM students WHERE student_id = ?1";
    default:
        *what = NULL;
        return NULL;
    }
}

static int check_scopes(slds_store *w, slds_role role, const char *const *scopes, size_t n,
                        slds_error *err)
{
    const char *what;
    const char *sql = scope_table(role, &what);
    if (role == SLDS_ROLE_PUBLIC)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "the public role is nobody logged in; it cannot be given to a user");
    if (!sql && n)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "role %s takes no --scope (it sees the whole state%s)",
                         slds_role_name(role), role == SLDS_ROLE_STATE_ADMIN ? "" : ", aggregated");
    if (sql && n == 0)
        return slds_fail(err, SLDS_ERR_USAGE, "role %s needs --scope with a%s %s id",
                         slds_role_name(role), role == SLDS_ROLE_DISTRICT ? "n" : "", what);
    if (role == SLDS_ROLE_STUDENT && n != 1)
        return slds_fail(err, SLDS_ERR_USAGE,
                         "role student takes exactly one --scope (its own id)");
    for (size_t i = 0; i < n; i++) {
        if (!scopes[i] || !scopes[i][0])
            return slds_fail(err, SLDS_ERR_USAGE, "an empty --scope");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(scopes[k], scopes[i]))
                return slds_fail(err, SLDS_ERR_USAGE, "--scope %s given twice", scopes[i]);
        slds_cursor c;
        if (slds_cursor_open(&c, w, sql, err))
            return err->code;
        slds_cursor_bind_text(&c, 1, scopes[i]);
        int r = slds_cursor_step(&c, err);
        slds_cursor_close(&c);
        if (r < 0)
            return err->code;
        if (r == 0)
            return slds_fail(err, SLDS_ERR_NOTFOUND, "--scope %s: no %s with this id in %s",
                             scopes[i], what, w->path);
    }
    return SLDS_OK;
}

static int hash_password(const char *password, const slds_password_cost *cost,
                         char hash[crypto_pwhash_STRBYTES], slds_error *err)
{
    if (sodium_init() < 0)
        return slds_fail(err, SLDS_ERR_NOMEM, "libsodium could not be initialised");
    slds_password_cost c = cost ? *cost : slds_password_cost_default();
    if (crypto_pwhash_str(hash, password, strlen(password), c.opslimit, c.memlimit) != 0)
        return slds_fail(err, SLDS_ERR_NOMEM,
                         "hashing the password needs %zu MiB of memory, which is not available",
                         c.memlimit >> 20);
    return SLDS_OK;
}

/* ---- writing users ------------------------------------------------------ */

int slds_user_add(slds_store *w, const char *username, slds_role role, const char *const *scopes,
                  size_t n_scopes, const char *password, const slds_password_cost *cost,
                  slds_error *err)
{
    int rc = access_require_schema(w, err);
    if (!rc)
        rc = check_username(username, err);
    if (!rc)
        rc = check_password(password, err);
    if (!rc)
        rc = check_scopes(w, role, scopes, n_scopes, err);
    if (rc)
        return rc;
    access_user u;
    int found = access_user_read(w, username, 0, 0, &u, NULL, 0, err);
    slds_principal_clear(&u.who);
    if (found < 0)
        return err->code;
    if (found)
        return slds_fail(err, SLDS_ERR_USAGE, "user %s exists already (see `slds user passwd`)",
                         username);
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = hash_password(password, cost, hash, err)))
        return rc;

    if ((rc = slds_store_begin(w, err)))
        return rc;
    slds_cursor c;
    rc = slds_cursor_open(&c, w,
                          "INSERT INTO users(username, role, password_hash, created_at)"
                          " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                          err);
    if (!rc) {
        slds_cursor_bind_text(&c, 1, username);
        slds_cursor_bind_text(&c, 2, slds_role_name(role));
        slds_cursor_bind_text(&c, 3, hash);
        if (slds_cursor_step(&c, err) < 0)
            rc = SLDS_ERR_DB;
        slds_cursor_close(&c);
    }
    int64_t id = sqlite3_last_insert_rowid(w->db);
    if (!rc)
        rc = slds_cursor_open(&c, w, "INSERT INTO user_scopes(user_id, scope_id) VALUES (?1, ?2)",
                              err);
    for (size_t i = 0; !rc && i < n_scopes; i++) {
        slds_cursor_reset(&c);
        slds_cursor_bind_int(&c, 1, id);
        slds_cursor_bind_text(&c, 2, scopes[i]);
        if (slds_cursor_step(&c, err) < 0)
            rc = SLDS_ERR_DB;
    }
    slds_cursor_close(&c);
    if (!rc)
        rc = slds_store_commit(w, err);
    if (rc)
        slds_store_rollback(w);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* Runs an UPDATE of one user (?1 username, ?2 optional text); NOTFOUND when no row changed. */
static int update_user(slds_store *w, const char *sql, const char *username, const char *arg,
                       slds_error *err)
{
    int rc = access_require_schema(w, err);
    if (rc)
        return rc;
    slds_cursor c;
    if (slds_cursor_open(&c, w, sql, err))
        return err->code;
    slds_cursor_bind_text(&c, 1, username);
    if (arg)
        slds_cursor_bind_text(&c, 2, arg);
    int r = slds_cursor_step(&c, err);
    slds_cursor_close(&c);
    if (r < 0)
        return err->code;
    if (sqlite3_changes(w->db) == 0)
        return slds_fail(err, SLDS_ERR_NOTFOUND, "no user %s in %s", username, w->path);
    return SLDS_OK;
}

int slds_user_passwd(slds_store *w, const char *username, const char *password,
                     const slds_password_cost *cost, slds_error *err)
{
    int rc = check_password(password, err);
    char hash[crypto_pwhash_STRBYTES];
    if (!rc)
        rc = hash_password(password, cost, hash, err);
    if (rc)
        return rc;
    rc = update_user(
        w,
        "UPDATE users SET password_hash = ?2, credential_version = credential_version + 1,"
        " changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE username = ?1",
        username, hash, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int slds_user_disable(slds_store *w, const char *username, slds_error *err)
{
    return update_user(w,
                       "UPDATE users SET disabled = 1, credential_version = credential_version + 1,"
                       " changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE username = ?1",
                       username, NULL, err);
}

int slds_user_list(slds_store *s, slds_table **out, slds_error *err)
{
    static const slds_column_spec cols[] = {{.name = "username", .type = SLDS_CELL_TEXT},
                                            {.name = "role", .type = SLDS_CELL_TEXT},
                                            {.name = "scopes", .type = SLDS_CELL_LIST},
                                            {.name = "disabled", .type = SLDS_CELL_BOOLEAN},
                                            {.name = "created", .type = SLDS_CELL_TEXT},
                                            {.name = "changed", .type = SLDS_CELL_TEXT}};
    *out = NULL;
    int v = slds_store_schema_version(s, "access", err);
    if (v < 0)
        return err->code;
    slds_table *t;
    int rc = slds_table_new(&t, "users", "Users", cols, 6, err);
    if (rc || v == 0) { /* no user tables yet: nobody */
        *out = t;
        return rc;
    }
    slds_cursor c;
    /* The scopes of a user come as one string; ids never hold a newline (the
     * contract's id type), so it is the separator. */
    rc = slds_cursor_open(&c, s,
                          "SELECT u.username, u.role, u.disabled, u.created_at, u.changed_at,"
                          " (SELECT group_concat(scope_id, char(10)) FROM"
                          "  (SELECT scope_id FROM user_scopes k WHERE k.user_id = u.user_id"
                          "   ORDER BY scope_id))"
                          " FROM users u ORDER BY u.username",
                          err);
    int r = 0;
    while (!rc && (r = slds_cursor_step(&c, err)) == 1) {
        slds_table_add_row(t, err);
        slds_table_set_text(t, 0, slds_cursor_text(&c, 0), err);
        slds_table_set_text(t, 1, slds_cursor_text(&c, 1), err);
        const char *scopes = slds_cursor_text(&c, 5);
        while (scopes && *scopes) {
            const char *nl = strchr(scopes, '\n');
            size_t len = nl ? (size_t)(nl - scopes) : strlen(scopes);
            char *id = strndup(scopes, len);
            if (!id || slds_table_list_add(t, 2, id, err))
                rc = id ? err->code : slds_fail(err, SLDS_ERR_NOMEM, "out of memory");
            free(id);
            scopes += len + (nl ? 1 : 0);
        }
        slds_table_set_boolean(t, 3, slds_cursor_int(&c, 2) != 0, err);
        slds_table_set_text(t, 4, slds_cursor_text(&c, 3), err);
        if (slds_table_set_text(t, 5, slds_cursor_text(&c, 4), err) && !rc)
            rc = err->code;
    }
    slds_cursor_close(&c);
    if (!rc && r < 0)
        rc = SLDS_ERR_DB;
    if (!rc)
        rc = slds_table_status(t);
    if (rc) {
        slds_table_free(t);
        return rc;
    }
    *out = t;
    return SLDS_OK;
}
