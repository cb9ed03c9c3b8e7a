#pragma once
// The typed query API: include this and the schema header of the tables you use.
#include "db/query/database.hpp"
