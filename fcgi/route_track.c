/* GET /tracks/{id}: the whole track; hls_url and artwork_url once completed. */
#include "routes.h"
#include "track_view.h"

void
route_track(struct req *r, const char *id)
{
	track_respond(r, id, false);
}
