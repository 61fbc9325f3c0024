// SPDX-License-Identifier: GPL-3.0-or-later
// Isolation restore (render-one(1)): a clean state for a Windows plugin's
// job in the Windows worker it already runs in, for the cost of a new
// instance rather than a new process. Windows has no fork; instead the
// worker puts the plugin back as a new process would have it just before
// its first instance: its modules' writable sections (.data, .bss: a
// static C runtime's generator, heap pointers, tables changed by playing)
// and the plugin arena (windows/plugin_arena.hpp) as they were once the
// module had loaded, with what hangs off them.
//
// The point it goes back to: keep_module loads a VST2 or VST3 module itself
// before JUCE does (in a call of its own: the module's DllMain draws from
// the arena and reads a virtual clock, as in every process), calls a
// VST3's InitDll and GetPluginFactory (JUCE's host keeps a VST3 factory
// for the process's life: it must be there after a restore), and keeps the
// module loaded from then on (JUCE's VST2 host would unload it with its
// last instance). Every Windows worker with pinning on does this,
// whatever the isolation: a job's first instance in a new process starts
// from the same point as one after a restore. Then, in a worker that will
// be asked to restore (its load says so: isolation restore, and its
// probe), it takes the snapshot; the others skip it (its copies are about
// 90 fresh pages, 0.1 ms of a Windows one-off's CPU), and refuse a
// restore.
//
// What a restore puts back, for every plugin module loaded at the
// snapshot: its writable sections; its static TLS block of the worker's
// thread (where every call runs); the thread's FLS and TLS slots whose
// value is, or was, a block of the arena (a C runtime's per-thread data);
// the arena's blocks, bookkeeping and bytes; the heaps of HeapCreate
// (windows/pinned_heap.hpp). Not put back: what a module loaded after the
// snapshot holds, the real heap's blocks (what the plugin's own threads
// allocated), kernel objects, window classes and registry keys it made,
// threads it left running, FLS and TLS slots it allocated since. The probe
// takes restore only where it gives the bytes of a new process.
//
// Needs pinning and the arena (a plugin's heap blocks outside the arena
// would be left dangling): off with --real-randomness or VR_PLUGIN_ARENA=off.
#pragma once
#include <string>

#include "plugins/plugin_ref.hpp"

namespace vr::windows {

// Loads ref's module (a VST2 or VST3, once a process) and, when restores
// will follow, takes the snapshot, when pinning and the arena are on; else
// nothing. Before JUCE loads it: the Windows worker's load request.
void keep_module(const plugin_ref& ref, int sample_rate, bool restores);

// Puts every kept module and the arena back as they were at the last
// snapshot (nothing, in a worker that has loaded no plugin yet). The
// caller holds no instance of any plugin. "" when done, else why not
// (pinning off, no arena, a module kept with no snapshot).
std::string restore_modules();

}  // namespace vr::windows
