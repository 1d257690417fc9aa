/* GET /tracks/upload/status/{id}: the processing status the app polls. */
#include "routes.h"
#include "track_view.h"

void
route_status(struct req *r, const char *id)
{
	track_respond(r, id, true);
}
