/* cmd_user.c - `slds user add|list|disable|passwd|log`: the accounts of the
 * web server (docs/access.md). The work is the library's (src/access).
 *
 * A password is read from standard input only (--password-stdin), never from
 * the command line, where `ps` and the shell's history would show it; on a
 * terminal it is asked twice without echo. The buffer is wiped after use. */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "access/access.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: slds user add DB NAME --role ROLE [--scope ID]... --password-stdin\n"
    "       slds user passwd DB NAME --password-stdin\n"
    "       slds user disable DB NAME\n"
    "       slds user list DB [--format table|csv|json]\n"
    "       slds user log DB --student ID [--format table|csv|json]\n"
    "\n"
    "Manages the accounts of the web server (`slds serve`) in the state database DB.\n"
    "\n"
    "  add      a new user with a role and its scopes:\n"
    "             state-admin, state-analyst, researcher: no --scope\n"
    "             district: --scope LEA_ID (one or more)\n"
    "             principal: --scope SCHOOL_ID (one or more)\n"
    "             teacher: --scope STAFF_ID (his or her own)\n"
    "             parent: --scope STUDENT_ID (each child)\n"
    "             student: --scope STUDENT_ID (exactly one: his or her own)\n"
    "           every scope id must exist in DB (load the data first).\n"
    "  passwd   a new password; the user's sessions end\n"
    "  disable  no more logins; the user's sessions end\n"
    "  list     every user: name, role, scopes, disabled, when created and changed\n"
    "           (never a password hash)\n"
    "  log      who viewed a student's record through the server, newest first\n"
    "\n"
    "The password is the first line of standard input (--password-stdin is required;\n"
    "a password is never taken on the command line); on a terminal it is asked for\n"
    "twice without echo. It has 12 to 1024 bytes and is stored as an Argon2id hash.\n"
    "What each role may see: docs/access.md.\n"
    "\n"
    "options:\n"
    "  --role ROLE        state-admin, state-analyst, district, principal, teacher,\n"
    "                     parent, student, researcher\n"
    "  --scope ID         a scope of the role (repeat for several)\n"
    "  --password-stdin   read the password from standard input\n"
    "  --student ID       (log) the statewide student id\n"
    "  --format FMT       (list, log) table (default), csv or json\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 done; 1 error (a scope id or user not in DB, a database error);\n"
    "2 usage (also a bad username, role, scope list or password length, or a user\n"
    "that exists already).\n";

#define PW_BUF (SLDS_PASSWORD_MAX + 2)

/* Reads one line (without its newline) into buf; 0 on success. */
static int read_line(FILE *in, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, in))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == size - 1) /* longer than the buffer: too long to be a password */
        return -2;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

static int prompt_hidden(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    int tty = tcgetattr(STDIN_FILENO, &old) == 0;
    fputs(prompt, stderr);
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int r = read_line(stdin, buf, size);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return r;
}

/* The password from standard input into pw (PW_BUF bytes); an exit status
 * when it cannot be read. */
static int read_password(const char *cmd, char *pw)
{
    int r;
    if (isatty(STDIN_FILENO)) {
        char again[PW_BUF] = {0};
        r = prompt_hidden("password: ", pw, PW_BUF);
        if (!r)
            r = prompt_hidden("password again: ", again, sizeof again);
        int same = !r && !strcmp(pw, again);
        sodium_memzero(again, sizeof again);
        if (!r && !same) {
            fprintf(stderr, "slds user %s: the two passwords differ\n", cmd);
            return 1;
        }
    } else {
        r = read_line(stdin, pw, PW_BUF);
    }
    if (r == -2) {
        fprintf(stderr, "slds user %s: the password is longer than %d bytes\n", cmd,
                SLDS_PASSWORD_MAX);
        return 1;
    }
    if (r) {
        fprintf(stderr, "slds user %s: no password on standard input\n", cmd);
        return 1;
    }
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const struct option options[] = {
        {"role", required_argument, NULL, 'r'},     {"scope", required_argument, NULL, 's'},
        {"password-stdin", no_argument, NULL, 'p'}, {"password", required_argument, NULL, 'P'},
        {"student", required_argument, NULL, 'S'},  {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    const char *role_name = NULL, *student = NULL;
    const char **scopes = calloc((size_t)argc, sizeof *scopes);
    size_t n_scopes = 0;
    int from_stdin = 0, fmt = SLDS_FORMAT_TABLE, opt, status = 0;
    if (!scopes)
        return 1;
    /* options and operands after the subcommand (getopt sees it as argv[0]) */
    int sargc = argc - 1;
    char **sargv = argv + 1;
    optind = 1;
    while (!status && (opt = getopt_long(sargc, sargv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'r':
            role_name = optarg;
            break;
        case 's':
            scopes[n_scopes++] = optarg;
            break;
        case 'p':
            from_stdin = 1;
            break;
        case 'P':
            status = cli_usage_error("user", "a password is never taken on the command line "
                                             "(ps and the shell history would show it): use "
                                             "--password-stdin");
            break;
        case 'S':
            student = optarg;
            break;
        case 'f':
            if ((fmt = cli_parse_format(optarg, false)) < 0)
                status = cli_usage_error("user", "unknown format '%s'", optarg);
            break;
        default:
            status = cli_usage_error("user", "unknown option");
        }
    }
    int nargs = sargc - optind;
    char **args = sargv + optind;
    int is_add = !strcmp(sub, "add"), is_passwd = !strcmp(sub, "passwd");
    if (status) {
    } else if (!is_add &&
               !strcmp(sub, "disable") + is_passwd + !strcmp(sub, "list") + !strcmp(sub, "log") ==
                   0) {
        status = cli_usage_error("user",
                                 "unknown subcommand '%s' (add, passwd, disable, list, log)", sub);
    } else if ((is_add || is_passwd || !strcmp(sub, "disable")) && nargs != 2) {
        status = cli_usage_error("user", "%s expects DB and NAME", sub);
    } else if ((!strcmp(sub, "list") || !strcmp(sub, "log")) && nargs != 1) {
        status = cli_usage_error("user", "%s expects DB", sub);
    } else if ((is_add || is_passwd) && !from_stdin) {
        status = cli_usage_error("user",
                                 "%s reads the password from standard input: give "
                                 "--password-stdin",
                                 sub);
    } else if (!is_add && (role_name || n_scopes)) {
        status = cli_usage_error("user", "--role and --scope go with add only");
    } else if (is_add && !role_name) {
        status = cli_usage_error("user", "add needs --role");
    } else if (!strcmp(sub, "log") && !student) {
        status = cli_usage_error("user", "log needs --student ID");
    }
    slds_role role = SLDS_ROLE_PUBLIC;
    if (!status && is_add && slds_role_parse(role_name, &role))
        status = cli_usage_error("user", "unknown role '%s'", role_name);
    if (status) {
        free(scopes);
        return status;
    }

    slds_error err = {0};
    slds_store *s = NULL;
    slds_table *t = NULL;
    int rc;
    if (!strcmp(sub, "list") || !strcmp(sub, "log")) {
        rc = slds_store_open_readonly(&s, args[0], &err);
        if (!rc)
            rc = !strcmp(sub, "list") ? slds_user_list(s, &t, &err)
                                      : slds_access_log_of_student(s, student, &t, &err);
        slds_store_close(s);
        free(scopes);
        if (rc)
            return cli_error(&err);
        status = cli_print_table(t, (slds_format)fmt);
        slds_table_free(t);
        return status;
    }
    char pw[PW_BUF] = {0};
    if (is_add || is_passwd) {
        if ((status = read_password(sub, pw))) {
            sodium_memzero(pw, sizeof pw);
            free(scopes);
            return status;
        }
    }
    /* Tests only: SLDS_TEST_MIN_PASSWORD_COST=1 hashes at Argon2id's minimum
     * cost (a test suite adds dozens of users; the default costs 0.1 s and
     * 64 MiB each). Said on stderr; the default is never weakened. */
    const char *test_cost = getenv("SLDS_TEST_MIN_PASSWORD_COST");
    slds_password_cost min_cost = slds_password_cost_min();
    const slds_password_cost *cost = test_cost && !strcmp(test_cost, "1") ? &min_cost : NULL;
    if (cost && (is_add || is_passwd))
        fputs("slds user: SLDS_TEST_MIN_PASSWORD_COST=1: minimum Argon2id cost (tests only)\n", stderr);
    rc = slds_store_open_writer(&s, args[0], 0, &err);
    if (!rc) {
        if (is_add)
            rc = slds_user_add(s, args[1], role, scopes, n_scopes, pw, cost, &err);
        else if (is_passwd)
            rc = slds_user_passwd(s, args[1], pw, cost, &err);
        else
            rc = slds_user_disable(s, args[1], &err);
    }
    sodium_memzero(pw, sizeof pw);
    slds_store_close(s);
    free(scopes);
    if (rc)
        return cli_error(&err);
    if (is_add)
        printf("user %s added (%s, %zu scope%s)\n", args[1], slds_role_name(role), n_scopes,
               n_scopes == 1 ? "" : "s");
    else if (is_passwd)
        printf("user %s: password changed; the user's sessions end\n", args[1]);
    else
        printf("user %s disabled; the user's sessions end\n", args[1]);
    return 0;
}
