/* The re-appraisal thread (handlers/reappraise.h). */
#include <stdbool.h>
#include <stdint.h>

#include "common/log.h"
#include "db/db.h"
#include "handlers/reappraise.h"
#include "server/app.h"
#include "server/periodic.h"

static struct periodic thread;

static void
round_at(int64_t now)
{
	int examined = 0, changed = 0;
	enum db_status st;

	st = reappraise_jobs(&app.cfg, now, (int)app.cfg.reappraisal_batch,
	                     (int)app.cfg.reappraisal_batch, &examined,
	                     &changed);
	if (examined > 0)
		tp_log(TP_LOG_INFO,
		       "reappraisal: %d passports judged again, %d worse",
		       examined, changed);
	if (st != DB_OK) {
		tp_log(TP_LOG_WARN,
		       "reappraisal: database error %d; the job resumes in the "
		       "next round",
		       (int)st);
		db_conn_close();
	}
}

/* periodic's round: at the verification clock (pinned in tests). */
static void
tick(void *arg)
{
	(void)arg;
	round_at(config_now(&app.cfg));
}

bool
reappraise_start(void)
{
	if (app.cfg.reappraisal_interval == 0)
		return true;
	return periodic_start(&thread, "reappraisal",
	                      app.cfg.reappraisal_interval, tick, NULL);
}

void
reappraise_wake(void)
{
	periodic_wake(&thread);
}

void
reappraise_stop(void)
{
	periodic_stop(&thread);
}
