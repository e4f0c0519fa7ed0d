// Entry of dist/vendor/axios.js: axios in a bundle of its own, loaded with the first HTTP client
// (core/http.ts) rather than at activation.
export { default } from 'axios';
