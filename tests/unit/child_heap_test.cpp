// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for linux/child_heap: a forked child's allocations come from
// fresh pages of its own and behave as malloc's, blocks of the parent's
// included. Each check runs in a forked child (the heap is entered for
// good) and sends back what went wrong.
#include <gtest/gtest.h>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "linux/child_heap.hpp"
#include "sanitized.hpp"

namespace {

using vr::test::sanitized;

// Runs check in a forked child; returns "" or what the child said failed.
std::string in_child(const std::function<std::string()>& check) {
    int fds[2];
    if (::pipe(fds) != 0) return "no pipe";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        std::string why = check();
        if (why.empty()) why = "ok";
        (void)!::write(fds[1], why.data(), why.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string got;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "child died (status " + std::to_string(status) + ")";
    return got == "ok" ? "" : got;
}

bool filled(const unsigned char* p, std::size_t n, unsigned char v) {
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != v) return false;
    return true;
}

class ChildHeap : public ::testing::Test {
protected:
    void SetUp() override {
        if (sanitized) GTEST_SKIP() << "the sanitizer owns malloc: the child heap is off";
    }
};

TEST_F(ChildHeap, AllocationsComeFromTheChildsRegionAndKeepTheirBytes) {
    EXPECT_EQ(in_child([] {
                  if (!vr::enter_child_heap()) return std::string("not entered");
                  std::vector<std::pair<unsigned char*, std::size_t>> blocks;
                  for (std::size_t n : {1, 15, 16, 17, 240, 241, 256, 257, 1000, 4096, 70000, 1 << 20, 3 << 20}) {
                      auto* p = static_cast<unsigned char*>(std::malloc(n));
                      if (!p) return "malloc(" + std::to_string(n) + ") failed";
                      if (!vr::in_child_heap(p)) return "malloc(" + std::to_string(n) + ") outside the region";
                      if (reinterpret_cast<std::uintptr_t>(p) % 16) return std::string("not 16-byte aligned");
                      if (malloc_usable_size(p) < n) return std::string("usable size below the request");
                      std::memset(p, static_cast<int>(n & 0xFF), n);
                      blocks.emplace_back(p, n);
                  }
                  for (auto [p, n] : blocks)
                      if (!filled(p, n, static_cast<unsigned char>(n & 0xFF)))
                          return "block of " + std::to_string(n) + " overwritten";
                  for (auto [p, n] : blocks) std::free(p);
                  return std::string();
              }),
              "");
}

TEST_F(ChildHeap, FreedBlocksAreReusedAndCallocZeroesThem) {
    EXPECT_EQ(in_child([] {
                  vr::enter_child_heap();
                  auto* a = static_cast<unsigned char*>(std::malloc(100));
                  std::memset(a, 0xAB, 100);
                  std::free(a);
                  auto* b = static_cast<unsigned char*>(std::calloc(10, 10));
                  if (b != a) return std::string("the freed block of the same class was not reused");
                  if (!filled(b, 100, 0)) return std::string("calloc left old bytes");
                  volatile std::size_t huge = SIZE_MAX / 2;  // not known to the compiler
                  if (std::calloc(huge, 4) != nullptr) return std::string("calloc overflow not refused");
                  return std::string();
              }),
              "");
}

TEST_F(ChildHeap, ReallocKeepsContentsOfOwnAndParentBlocks) {
    // A block of the parent's, written before the fork.
    auto* parents = static_cast<unsigned char*>(std::malloc(5000));
    std::memset(parents, 0x5A, 5000);
    EXPECT_EQ(in_child([parents] {
                  vr::enter_child_heap();
                  auto* grown = static_cast<unsigned char*>(std::realloc(parents, 20000));
                  if (!vr::in_child_heap(grown)) return std::string("a parent's block grew outside the region");
                  if (!filled(grown, 5000, 0x5A)) return std::string("a parent's block lost its bytes");
                  auto* p = static_cast<unsigned char*>(std::malloc(40));
                  std::memset(p, 7, 40);
                  const auto at = reinterpret_cast<std::uintptr_t>(p);
                  p = static_cast<unsigned char*>(std::realloc(p, 44));  // still fits its class
                  if (reinterpret_cast<std::uintptr_t>(p) != at) return std::string("a block that fits moved");
                  auto* q = static_cast<unsigned char*>(std::realloc(p, 100000));
                  if (!filled(q, 40, 7)) return std::string("a grown block lost its bytes");
                  if (std::realloc(q, 0) != nullptr) return std::string("realloc to 0 did not free");
                  auto* parents_too = static_cast<unsigned char*>(std::malloc(10));
                  std::free(parents_too);
                  return std::string();
              }),
              "");
    // The parent's block is its own still.
    EXPECT_TRUE(filled(parents, 5000, 0x5A));
    std::free(parents);
}

TEST_F(ChildHeap, AlignedAllocationsAreAligned) {
    EXPECT_EQ(in_child([] {
                  vr::enter_child_heap();
                  for (std::size_t align : {16, 32, 64, 4096, 65536}) {
                      void* p = nullptr;
                      if (posix_memalign(&p, align, 1000) != 0 || !p) return "posix_memalign " + std::to_string(align);
                      if (reinterpret_cast<std::uintptr_t>(p) % align) return "misaligned at " + std::to_string(align);
                      std::memset(p, 1, 1000);
                      void* q = aligned_alloc(align, 2 * align);
                      if (reinterpret_cast<std::uintptr_t>(q) % align) return "aligned_alloc at " + std::to_string(align);
                      std::free(p);
                      std::free(q);
                  }
                  void* p = nullptr;
                  if (posix_memalign(&p, 24, 10) != EINVAL) return std::string("alignment 24 accepted");
                  return std::string();
              }),
              "");
}

TEST_F(ChildHeap, ThreadsOfTheChildShareItSafely) {
    EXPECT_EQ(in_child([] {
                  vr::enter_child_heap();
                  std::vector<std::thread> threads;
                  std::vector<int> bad(4, 0);
                  for (int t = 0; t < 4; ++t)
                      threads.emplace_back([t, &bad] {
                          std::vector<unsigned char*> live;
                          for (int i = 0; i < 20000; ++i) {
                              std::size_t n = 1 + static_cast<std::size_t>((i * 37 + t) % 3000);
                              auto* p = static_cast<unsigned char*>(std::malloc(n));
                              std::memset(p, t + 1, n);
                              live.push_back(p);
                              if (live.size() > 50) {
                                  unsigned char* old = live.front();
                                  if (old[0] != t + 1) bad[static_cast<std::size_t>(t)]++;
                                  std::free(old);
                                  live.erase(live.begin());
                              }
                          }
                          for (auto* p : live) std::free(p);
                      });
                  for (auto& th : threads) th.join();
                  for (int b : bad)
                      if (b) return std::string("a block was handed out twice");
                  return std::string();
              }),
              "");
}

TEST_F(ChildHeap, OffByTheEnvironmentOrUntilEntered) {
    auto* before = static_cast<char*>(std::malloc(10));
    std::memset(before, 0, 10);
    EXPECT_FALSE(vr::in_child_heap(before));
    std::free(before);
    EXPECT_EQ(in_child([] {
                  ::setenv("VR_CHILD_HEAP", "off", 1);
                  if (vr::enter_child_heap()) return std::string("entered with VR_CHILD_HEAP=off");
                  void* p = std::malloc(10);
                  if (vr::in_child_heap(p)) return std::string("allocated from a heap not entered");
                  std::free(p);
                  return std::string();
              }),
              "");
}

}  // namespace
