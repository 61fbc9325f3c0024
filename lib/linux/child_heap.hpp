// SPDX-License-Identifier: GPL-3.0-or-later
// A forked child's own heap. A child forked to render a job shares every
// page of its parent until it writes one; each first write to a shared page
// is a copy-on-write fault, and on this kind of virtual machine each costs
// tens of microseconds, mostly the TLB flush. The profile of a forked job
// showed most of them inside malloc and free: glibc's heap keeps its free
// lists inside the parent's pages, so every allocation the child makes
// writes to a page it shares. Once a child enters its own heap, malloc and
// the rest of the family (defined here for the whole process, plugins
// included) hand out fresh pages that nobody shares, and free never writes
// to a block of the parent's: the child ends soon and takes it all along.
// Until then, and always in the parent, every call goes straight to glibc.
#pragma once
#include <cstddef>

namespace vr {

// From now on, in this process, allocations come from a region of fresh
// pages of its own. Call it first thing in a forked child, before it starts
// threads; never in a process that goes on for long: memory freed into the
// parent's heap is not reused here. Returns false, changing nothing, in a
// sanitized build (the sanitizer owns malloc), with VR_CHILD_HEAP=off in the
// environment (the reference path) and where no region can be mapped.
bool enter_child_heap() noexcept;

// Whether p points into this process's child heap (for tests).
bool in_child_heap(const void* p) noexcept;

}  // namespace vr
