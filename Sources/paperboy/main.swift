import PaperboyCLI

// Everything lives in the libraries; this target only starts the command line.
await PaperboyMain.run()
