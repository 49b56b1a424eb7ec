Attribute VB_Name = "xlreports"
Option Explicit
' xlreports ribbon callbacks: each button of the "xlreports" tab (customUI14.xml, onAction="xlreports.<Sub>")
' runs one Python entry point of xlreports.addin.entry through xlwings' RunPython (module "xlwings" of this add-in).
' The Python side finds the shop workbook with xw.Book.caller() (the active workbook) and reports progress and
' errors itself, in Chinese, in the status bar and a message box.
' Keep this file ASCII: the VBA project is stored in code page 1252. Chinese text is built with ChrW (XlrText).

Public Sub XlrInitScheme(control As IRibbonControl)
    If Not XlrHasBook() Then Exit Sub
    RunPython "import xlreports.addin.entry as a; a.init_scheme()"
End Sub

Public Sub XlrAppraise(control As IRibbonControl)
    If Not XlrHasBook() Then Exit Sub
    RunPython "import xlreports.addin.entry as a; a.appraise()"
End Sub

Public Sub XlrArchive(control As IRibbonControl)
    If Not XlrHasBook() Then Exit Sub
    RunPython "import xlreports.addin.entry as a; a.archive()"
End Sub

Public Sub XlrReminders(control As IRibbonControl)
    If Not XlrHasBook() Then Exit Sub
    RunPython "import xlreports.addin.entry as a; a.reminders()"
End Sub

Public Sub XlrImportFunctions(control As IRibbonControl)
    ' Registers the XLR_* cell functions (xlreports.addin.udfs) with this add-in: xlwings' own import.
    ImportPythonUDFsToAddin
End Sub

Private Function XlrHasBook() As Boolean
    ' With no workbook open, RunPython would fail on ActiveWorkbook.FullName before Python could say anything.
    If ActiveWorkbook Is Nothing Then
        ' "Please open the shop workbook first."
        MsgBox XlrText("8BF7,5148,6253,5F00,5E97,94FA,5DE5,4F5C,7C3F,3002"), vbInformation, "xlreports"
        XlrHasBook = False
    Else
        XlrHasBook = True
    End If
End Function

Private Function XlrText(codes As String) As String
    ' Unicode text from comma-separated hexadecimal code points.
    Dim part As Variant, s As String
    For Each part In Split(codes, ",")
        s = s & ChrW(CLng("&H" & part))
    Next part
    XlrText = s
End Function
