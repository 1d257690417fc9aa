/*
 * mustory-token: mint a development bearer token (HS256 JWT).
 *
 *   mustory-token [--sub UUID] [--ttl SECONDS] [--env-file PATH]
 *
 * The secret is JWT_SECRET from the environment, else from the env file
 * (--env-file, or $ENV_FILE), read through config_lookup() so the file means
 * here what it means to the API. Prints the token on stdout and the sub on
 * stderr, so `TOKEN=$(mustory-token)` keeps the id visible.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ids.h"
#include "jwt.h"
#include "result.h"

#define DEFAULT_TTL_S 86400LL
#define MAX_TTL_S (30LL * 86400)

static void usage(FILE *f);
static int parse_ttl(const char *s, long long *out);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mustory-token [--sub UUID] [--ttl SECONDS] [--env-file PATH]\n"
	    "       mustory-token --help | --version\n"
	    "  Mints an HS256 development token signed with JWT_SECRET (from the\n"
	    "  environment, else the env file). Token on stdout, sub on stderr.\n"
	    "  --sub UUID      the user id (default: a new random UUID)\n"
	    "  --ttl SECONDS   lifetime, 1 to %lld (default %lld)\n"
	    "  --env-file PATH read JWT_SECRET from this KEY=VALUE file\n",
	    MAX_TTL_S, DEFAULT_TTL_S);
}

static int
parse_ttl(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > MAX_TTL_S)
		return -1;
	*out = v;
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *sub_arg = NULL, *envfile = NULL;
	long long ttl = DEFAULT_TTL_S;
	struct errbuf e;
	char sub[37], *token, *secret = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf("mustory-token %s\n", MUSTORY_VERSION);
			return 0;
		}
		if (i + 1 >= argc || (strcmp(a, "--sub") != 0 &&
		    strcmp(a, "--ttl") != 0 && strcmp(a, "--env-file") != 0)) {
			usage(stderr);
			return 2;
		}
		if (strcmp(a, "--sub") == 0) {
			sub_arg = argv[++i];
		} else if (strcmp(a, "--ttl") == 0) {
			if (parse_ttl(argv[++i], &ttl) != 0) {
				fprintf(stderr, "mustory-token: --ttl must be a whole number "
				    "of seconds from 1 to %lld\n", MAX_TTL_S);
				return 2;
			}
		} else {
			envfile = argv[++i];
		}
	}

	if (sub_arg != NULL) {
		if (!id_uuid_normalize(sub_arg, sub)) {
			fprintf(stderr, "mustory-token: --sub must be a UUID "
			    "(8-4-4-4-12 hex digits)\n");
			return 2;
		}
	} else if (id_uuid4(sub) != OK) {
		fprintf(stderr, "mustory-token: cannot make a random UUID\n");
		return 1;
	}

	err_clear(&e);
	if (config_lookup(envfile, "JWT_SECRET", &secret, &e) != OK) {
		fprintf(stderr, "mustory-token: %s\n", err_msg(&e));
		return 1;
	}
	if (secret == NULL || *secret == '\0') {
		fprintf(stderr, "mustory-token: JWT_SECRET is not set; export it "
		    "or pass --env-file PATH\n");
		free(secret);
		return 1;
	}
	if (strlen(secret) < JWT_SECRET_MIN) {
		fprintf(stderr, "mustory-token: JWT_SECRET must be at least %d "
		    "characters long\n", JWT_SECRET_MIN);
		free(secret);
		return 1;
	}

	token = jwt_sign(secret, sub, time(NULL) + (time_t)ttl);
	free(secret);
	if (token == NULL) {
		fprintf(stderr, "mustory-token: out of memory\n");
		return 1;
	}
	printf("%s\n", token);
	fprintf(stderr, "sub: %s\n", sub);
	free(token);
	return fflush(stdout) == 0 ? 0 : 1;
}
