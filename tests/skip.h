/* skip.h - for cmocka test programs some of whose tests need something that
 * may be absent (the shared data beside the work tree): cmocka counts a
 * skip() as no failure, so such a program would exit 0 and ctest would count
 * it Passed. slds_test_exit turns "no failure, but tests were skipped" into
 * exit status 77, which CMakeLists.txt declares as ctest's SKIP_RETURN_CODE,
 * so ctest counts it Skipped; failures still fail. */
#ifndef SLDS_TESTS_SKIP_H
#define SLDS_TESTS_SKIP_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { SLDS_TEST_SKIPPED = 77 };

/* path = $SLDS_SHARED_DIR/rel (../shared when unset); 1 when it exists. */
static inline int slds_test_shared(char *path, size_t size, const char *rel)
{
    const char *shared = getenv("SLDS_SHARED_DIR");
    snprintf(path, size, "%s/%s", shared ? shared : "../shared", rel);
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The status main returns: the failures, else 77 (with a "skipped: why"
 * line) when why is not NULL, else 0. */
static inline int slds_test_exit(int failed, const char *why)
{
    if (failed)
        return failed;
    if (why) {
        printf("skipped: %s\n", why);
        return SLDS_TEST_SKIPPED;
    }
    return 0;
}

#endif
