/* For the Windows smoke test under Wine only, never shipped. Every Windows 10 and 11 has
 * bcryptprimitives.dll, whose ProcessPrng the Rust standard library asks for randomness; Wine 8 (Debian
 * 12) does not have it yet. This stand-in answers ProcessPrng from RtlGenRandom, which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
