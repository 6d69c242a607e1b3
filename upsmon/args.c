/*
 * nutsec - args.c: what every upsmon process derives the same way from
 * its command line and upsmon.conf: the filter action and the run-as user.
 */
#include "config.h"

#include "loop.h"

int
upsmon_sandbox_action(const struct upsmon_args *a, const struct upsmon_conf *cf)
{
	return a->sandbox >= 0 ? a->sandbox : cf->sandbox;
}

const char *
upsmon_user(const struct upsmon_args *a, const struct upsmon_conf *cf)
{
	if (a->user != NULL)
		return a->user;
	return cf->run_as_user != NULL ? cf->run_as_user : RUN_AS_USER;
}
