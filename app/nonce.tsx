import { createContext, useContext } from "react";

/** The CSP nonce of this response; empty in the browser, where nothing new is inlined. */
export const NonceContext = createContext("");
export const useNonce = () => useContext(NonceContext);
