/*
 * mustory-token: mint a development bearer token (HS256 JWT).
 *
 *   mustory-token [--sub UUID] [--ttl SECONDS] [--iss ISSUER] [--aud AUDIENCE]
 *                 [--env-file PATH]
 *
 * The secret is JWT_SECRET from the environment, else from the env file
 * (--env-file, or $ENV_FILE), read through config_lookup() so the file means
 * here what it means to the API; "iss" and "aud" default the same way to
 * JWT_ISSUER and JWT_AUDIENCE, so the token passes an API configured with
 * them. Prints the token on stdout and the sub on stderr, so
 * `TOKEN=$(mustory-token)` keeps the id visible.
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

struct args {
	const char *sub, *iss, *aud, *envfile;
	long long ttl;
};

static void usage(FILE *f);
static int parse_ttl(const char *s, long long *out);
static int parse_args(int argc, char *argv[], struct args *a);
static int lookup(const char *envfile, const char *name, char **out);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mustory-token [--sub UUID] [--ttl SECONDS] [--iss ISSUER] [--aud AUDIENCE]\n"
	    "                     [--env-file PATH]\n"
	    "       mustory-token --help | --version\n"
	    "  Mints an HS256 development token signed with JWT_SECRET (from the\n"
	    "  environment, else the env file). Token on stdout, sub on stderr.\n"
	    "  --sub UUID      the user id (default: a new random UUID)\n"
	    "  --ttl SECONDS   lifetime, 1 to %lld (default %lld)\n"
	    "  --iss ISSUER    the iss claim (default: JWT_ISSUER; none when unset)\n"
	    "  --aud AUDIENCE  the aud claim (default: JWT_AUDIENCE; none when unset)\n"
	    "  --env-file PATH read JWT_* from this KEY=VALUE file\n",
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

/* 0: parsed; 1: --help or --version shown; 2: a usage error, reported. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(o, "--version") == 0) {
			printf("mustory-token %s\n", MUSTORY_VERSION);
			return 1;
		}
		if (i + 1 >= argc) {
			usage(stderr);
			return 2;
		}
		if (strcmp(o, "--sub") == 0) {
			a->sub = argv[++i];
		} else if (strcmp(o, "--iss") == 0) {
			a->iss = argv[++i];
		} else if (strcmp(o, "--aud") == 0) {
			a->aud = argv[++i];
		} else if (strcmp(o, "--env-file") == 0) {
			a->envfile = argv[++i];
		} else if (strcmp(o, "--ttl") == 0) {
			if (parse_ttl(argv[++i], &a->ttl) != 0) {
				fprintf(stderr, "mustory-token: --ttl must be a whole number "
				    "of seconds from 1 to %lld\n", MAX_TTL_S);
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

/* *out: malloc'd value of name, or NULL when unset or "". 0 on success. */
static int
lookup(const char *envfile, const char *name, char **out)
{
	struct errbuf e;

	err_clear(&e);
	if (config_lookup(envfile, name, out, &e) != OK) {
		fprintf(stderr, "mustory-token: %s\n", err_msg(&e));
		return -1;
	}
	if (*out != NULL && **out == '\0') {
		free(*out);
		*out = NULL;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct args a = { NULL, NULL, NULL, NULL, DEFAULT_TTL_S };
	char sub[37], *token = NULL, *secret = NULL, *iss = NULL, *aud = NULL;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc == 1 ? 0 : 2;
	if (a.sub != NULL) {
		if (!id_uuid_normalize(a.sub, sub)) {
			fprintf(stderr, "mustory-token: --sub must be a UUID "
			    "(8-4-4-4-12 hex digits)\n");
			return 2;
		}
	} else if (id_uuid4(sub) != OK) {
		fprintf(stderr, "mustory-token: cannot make a random UUID\n");
		return 1;
	}

	rc = 1;
	if (lookup(a.envfile, "JWT_SECRET", &secret) != 0 ||
	    (a.iss == NULL && lookup(a.envfile, "JWT_ISSUER", &iss) != 0) ||
	    (a.aud == NULL && lookup(a.envfile, "JWT_AUDIENCE", &aud) != 0))
		goto out;
	if (secret == NULL) {
		fprintf(stderr, "mustory-token: JWT_SECRET is not set; export it "
		    "or pass --env-file PATH\n");
		goto out;
	}
	if (strlen(secret) < JWT_SECRET_MIN) {
		fprintf(stderr, "mustory-token: JWT_SECRET must be at least %d "
		    "characters long\n", JWT_SECRET_MIN);
		goto out;
	}
	token = jwt_sign(secret, sub, time(NULL) + (time_t)a.ttl, a.iss != NULL ? a.iss : iss,
	    a.aud != NULL ? a.aud : aud);
	if (token == NULL) {
		fprintf(stderr, "mustory-token: out of memory\n");
		goto out;
	}
	printf("%s\n", token);
	fprintf(stderr, "sub: %s\n", sub);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	free(secret);
	free(iss);
	free(aud);
	free(token);
	return rc;
}
