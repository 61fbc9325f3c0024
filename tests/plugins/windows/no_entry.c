// SPDX-License-Identifier: GPL-3.0-or-later
// no-entry.dll: a 64-bit DLL that loads fine and is no plugin at all. It
// exports one function, under a name no plugin format looks for: neither
// VSTPluginMain nor main (VST2), nor GetPluginFactory (VST3).

__declspec(dllexport) int vr_not_a_plugin(void);

int vr_not_a_plugin(void) {
    return 42;
}
