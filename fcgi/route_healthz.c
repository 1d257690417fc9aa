/* GET /healthz: 200 when the database answers, 503 otherwise; both name the version. */
#include "routes.h"

void
route_healthz(struct req *r, const char *unused)
{
	json_object *o = json_object_new_object();
	struct errbuf e;

	(void)unused;
	err_clear(&e);
	if (db_exec(&r->w->db, NULL, "SELECT 1", 0, NULL, &e) != OK) {
		json_object_object_add(o, "detail",
		    json_object_new_string("The database is not reachable."));
		json_object_object_add(o, "code", json_object_new_string("database_unavailable"));
		json_object_object_add(o, "database", json_object_new_string("down"));
		json_object_object_add(o, "version", json_object_new_string(MUSTORY_VERSION));
		r->code = "database_unavailable";
		metrics_error(r->w->metrics, METRICS_ERR_DATABASE);
		http_send_json(r, 503, o);
	} else {
		json_object_object_add(o, "status", json_object_new_string("ok"));
		json_object_object_add(o, "database", json_object_new_string("ok"));
		json_object_object_add(o, "version", json_object_new_string(MUSTORY_VERSION));
		http_send_json(r, 200, o);
	}
	json_object_put(o);
}
