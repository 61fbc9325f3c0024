// SPDX-License-Identifier: GPL-3.0-or-later
// Linked beside vst2_instrument.c into two DLLs whose import tables name
// the DLLs of Microsoft's Visual C++ runtime, as a plugin built with MSVC
// does. Import libraries come from the .def files here (dlltool).
//
// needs-msvc.dll: MSVCP140.dll and VCRUNTIME140.dll. Wine ships both as
// builtins (every prefix has them in system32), so under wine this plugin
// loads and plays like the others.
// needs-mfc.dll (VR_NEEDS_MFC): MFC140U.dll too, the MFC library of the
// same redistributable, which wine 8 does not have: Windows' loader refuses
// the plugin (ERROR_MOD_NOT_FOUND), and a host must say which DLL is missing.
//
// The calls are never made (a vendor opcode no host sends): they only keep
// the imports.

// Both are plain C exports of the real DLLs.
long long _Query_perf_frequency(void);  // MSVCP140.dll
void __std_terminate(void);             // VCRUNTIME140.dll
#if VR_NEEDS_MFC
void vr_mfc140u_import(void);  // MFC140U.dll, by ordinal (mfc140u.def)
#endif

void vr_touch_msvc_runtime(void);

void vr_touch_msvc_runtime(void) {
#if VR_NEEDS_MFC
    vr_mfc140u_import();
#endif
    if (_Query_perf_frequency() == 0)
        __std_terminate();
}
