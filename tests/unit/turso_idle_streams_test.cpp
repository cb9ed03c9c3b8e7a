// The kept streams of finished cursor reads: newest first, bounded, and never one idle for
// longer than the server keeps it.
#include <gtest/gtest.h>

#include <thread>

#include "db/turso/idle_streams.hpp"

using ds::db::turso::IdleStreams;

TEST(TursoIdleStreams, NewestFirstBoundedAndNeverStale) {
  IdleStreams streams(2, std::chrono::seconds(60));
  EXPECT_FALSE(streams.take());
  streams.keep({"a", "u1"});
  streams.keep({"b", "u2"});
  streams.keep({"c", "u3"});  // over the capacity: "a", the oldest, goes
  auto s = streams.take();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->baton, "c");
  EXPECT_EQ(s->url, "u3");
  EXPECT_EQ(streams.take()->baton, "b");
  EXPECT_FALSE(streams.take()) << "each stream is taken once";

  IdleStreams quick(4, std::chrono::milliseconds(20));
  quick.keep({"old", "u"});
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_FALSE(quick.take()) << "expired on the server by now";
}
