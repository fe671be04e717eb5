"""Tools for developing the app, shared by the tests and the benchmark (never imported by `estate_pwa`, not
shipped): the app in production mode on a free port (`appserver`) and throwaway databases (`databases`)."""
