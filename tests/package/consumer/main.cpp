// A user's program built against the installed package only.
#include <lwm2m/dm/path.hpp>

int main() {
  auto p = lwm2m::dm::Path::parse("/3/0/1");
  return p.ok() && p->resource() == 1 ? 0 : 1;
}
